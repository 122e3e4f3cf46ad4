using System.Security.Cryptography;
using System.Text;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Sink;
using FastLoad.Tests.Infrastructure;
using DuckDB.NET.Data;

namespace FastLoad.Tests.Integration;

/// <summary>No secret in clear: the seed is stored as a hash, the key nowhere; a key file others can read is warned about.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class SecretsTests
{
    private const string Seed = "a-secret-seed";

    [Fact]
    public async Task Results_keep_a_seed_hash_and_never_the_seed_or_the_key_and_an_open_key_file_is_warned_about()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string keyHex = Convert.ToHexStringLower(TestKeys.Funder.Bytes);
        string keyFile = TestPaths.NewFile(".key");
        File.WriteAllText(keyFile, "0x" + keyHex + "\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string results = TestPaths.NewFile(".duckdb");

        ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", sink.Url.ToString(), "--rate", "200", "--count", "50", "--wallets", "5",
            "--seed", Seed, "--funder-key-file", keyFile, "--out", results, "--no-live");

        Assert.True(run.ExitCode == 0, run.StdErr); // a warning, not a refusal
        Assert.Equal($"fastload run: warning: --funder-key-file {keyFile} is readable by group or others (mode 644): run chmod 600 {keyFile}", run.StdErr.Trim());
        Assert.DoesNotContain(keyHex, run.StdOut + run.StdErr, StringComparison.OrdinalIgnoreCase);
        using DuckDBConnection db = DuckDbSql.Open(results);
        string settings = db.Table("SELECT settings FROM runs").GetString(0, 0)!;
        string seedHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Seed)));
        Assert.Contains($"\"seed_sha256\":\"{seedHash}\"", settings);
        Assert.DoesNotContain(Seed, settings);
        // The whole runs row (command line, settings, targets, ...): neither the seed nor the key.
        string all = db.Table("SELECT to_json(r)::VARCHAR FROM runs r").GetString(0, 0)!;
        Assert.Contains($"--seed <redacted> --funder-key-file {keyFile}", all); // the command line, seed blanked
        Assert.DoesNotContain(keyHex, all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Seed, all);
    }

    [Fact]
    public async Task Neither_the_mnemonic_nor_the_key_derived_from_it_is_printed_or_stored_and_an_open_mnemonic_file_is_warned_about()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string mnemonicFile = TestPaths.NewFile(".mnemonic");
        File.WriteAllText(mnemonicFile, MnemonicFunderTests.AnvilMnemonic + "\n");
        File.SetUnixFileMode(mnemonicFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string results = TestPaths.NewFile(".duckdb");
        // Account 2 of anvil's mnemonic, as anvil and NBitcoin derive it.
        const string derivedKey = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
        Assert.Equal(derivedKey, Convert.ToHexStringLower(Engine.Wallets.Hd.Bip32.FromMnemonic(MnemonicFunderTests.AnvilMnemonic, 2).Bytes));

        ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", sink.Url.ToString(), "--rate", "200", "--count", "50", "--wallets", "5",
            "--funder-mnemonic-file", mnemonicFile, "--funder-index", "2", "--out", results, "--no-live");

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Equal($"fastload run: warning: --funder-mnemonic-file {mnemonicFile} is readable by group or others (mode 644): run chmod 600 {mnemonicFile}", run.StdErr.Trim());
        string output = run.StdOut + run.StdErr;
        Assert.DoesNotContain(derivedKey, output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("test test", output, StringComparison.OrdinalIgnoreCase);
        using DuckDBConnection db = DuckDbSql.Open(results);
        string all = db.Table("SELECT to_json(r)::VARCHAR FROM runs r").GetString(0, 0)!;
        Assert.Contains($"--funder-mnemonic-file {mnemonicFile} --funder-index 2", all); // the command line: the file's name, not its words
        Assert.DoesNotContain(derivedKey, all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("test test", all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("junk", all, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_key_file_only_its_owner_can_read_gets_no_warning()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string keyFile = TestPaths.NewFile(".key");
        File.WriteAllText(keyFile, AnvilNode.DevKey);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", sink.Url.ToString(), "--rate", "200", "--count", "20", "--wallets", "2",
            "--funder-key-file", keyFile, "--no-results", "--no-live");
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Equal("", run.StdErr);
    }
}
