using System.CommandLine;
using System.Globalization;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets.Hd;

namespace FastLoad.Runner.Commands;

/// <summary>
/// Where the funder's key comes from, shared by every command that takes one: <c>--funder-key-file FILE</c> or
/// <c>FASTLOAD_FUNDER_KEY</c> (a 0x private key), or <c>--funder-mnemonic-file FILE [--funder-index N]</c> (a BIP-39
/// mnemonic, account <c>m/44'/60'/0'/0/N</c>). Never a secret on the command line; the mnemonic and the key derived
/// from it are neither printed nor stored.
/// </summary>
internal sealed class FunderKeyOptions
{
    private readonly Option<FileInfo?> _keyFile;
    private readonly Option<FileInfo?> _mnemonicFile;
    private readonly Option<long?> _index;

    public FunderKeyOptions(string keyFileDescription)
    {
        _keyFile = new Option<FileInfo?>("--funder-key-file") { Description = keyFileDescription };
        _mnemonicFile = new Option<FileInfo?>("--funder-mnemonic-file")
        {
            Description = "File holding the funder's BIP-39 mnemonic (12-24 English words); the funder is account --funder-index of it (m/44'/60'/0'/0/N), as wallets and anvil derive it.",
        };
        _index = new Option<long?>("--funder-index") { Description = "N of m/44'/60'/0'/0/N for --funder-mnemonic-file (default 0)." };
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_keyFile);
        command.Options.Add(_mnemonicFile);
        command.Options.Add(_index);
    }

    /// <summary>
    /// The funder key as 0x-hex, or null when none was given. Bad input is an <see cref="ArgumentException"/> with a
    /// one-line message that never holds a secret.
    /// </summary>
    public string? Read(ParseResult parse, string command)
    {
        FileInfo? mnemonicFile = parse.GetValue(_mnemonicFile);
        long? index = parse.GetValue(_index);
        if (mnemonicFile is null)
        {
            if (index is not null) throw new ArgumentException("--funder-index needs --funder-mnemonic-file: it picks an account of the mnemonic");
            return RunCommand.ReadFunderKey(parse.GetValue(_keyFile), command);
        }
        if (parse.GetValue(_keyFile) is not null)
            throw new ArgumentException("--funder-mnemonic-file and --funder-key-file exclude each other: give the funder one way");
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("FASTLOAD_FUNDER_KEY")))
            throw new ArgumentException("--funder-mnemonic-file and FASTLOAD_FUNDER_KEY exclude each other: unset FASTLOAD_FUNDER_KEY or drop --funder-mnemonic-file");
        if (index is < 0 or > Bip32.MaxAccountIndex)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--funder-index {index} is out of range: give 0 to {Bip32.MaxAccountIndex} (the N of m/44'/60'/0'/0/N)"));
        return ReadMnemonic(mnemonicFile, (int)(index ?? 0), command);
    }

    private static string ReadMnemonic(FileInfo file, int index, string command)
    {
        if (!file.Exists) throw new ArgumentException($"--funder-mnemonic-file {file.FullName} does not exist");
        RunCommand.WarnIfOthersCanRead(file, "--funder-mnemonic-file", command);
        string mnemonic = RunCommand.ReadSecretFile(file, "--funder-mnemonic-file", "a BIP-39 mnemonic of 12 to 24 words");
        PrivateKey key;
        try
        {
            key = Bip32.FromMnemonic(mnemonic, index);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--funder-mnemonic-file {file.FullName}: {e.Message}");
        }
        return "0x" + Convert.ToHexStringLower(key.Bytes);
    }
}
