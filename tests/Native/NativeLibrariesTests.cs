using FastLoad.Tests.Infrastructure;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Native;
using FastLoad.Engine.Signing;

namespace FastLoad.Tests.Native;

public class NativeLibrariesTests
{
    // The build copies the NuGet packages' libraries under runtimes/linux-x64/native/; they are what the engine loads,
    // not a system or native/.deps copy.
    [Fact]
    public void Loads_secp256k1_from_the_Secp256k1_Net_package_folder_next_to_the_assembly()
    {
        // Secp256k1.Net loads it: one copy, mapped once, from the package folder (never a system copy).
        Secp256k1.EnsureAvailable();
        string expected = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libsecp256k1.so");
        Assert.Equal([expected], NativeLibraries.MappedFiles("libsecp256k1.so"));
    }

    [Fact]
    public void Loads_duckdb_from_the_DuckDB_NET_package_folder_next_to_the_assembly()
    {
        // DuckDB.NET.Bindings' imports resolve it through the deps.json: one copy, mapped once, from the package folder.
        DuckDbSql.EnsureAvailable();
        using (var db = DuckDbSql.Open(DuckDbSql.Memory)) db.Execute("SELECT 1");
        string expected = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libduckdb.so");
        Assert.Equal([expected], NativeLibraries.MappedFiles("libduckdb.so"));
    }

    [Theory]
    [InlineData(false, "native library libsecp256k1.so did not load (not found): build with 'dotnet build' (restores NuGet package Secp256k1.Net")]
    [InlineData(true, "native library libsecp256k1.so did not load (file too short): build with 'dotnet build' (restores NuGet package Secp256k1.Net")]
    public async Task A_missing_or_broken_libsecp256k1_is_one_line_naming_the_package_and_exit_3(bool truncated, string expected)
    {
        // A copy of the program whose package library is gone (or empty): signing is the first thing presign needs.
        string source = Path.GetDirectoryName(TestPaths.FastloadDll)!;
        string copy = Path.Combine(TestPaths.Scratch, "no-secp-" + Guid.NewGuid().ToString("N"));
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        string library = Path.Combine(copy, "runtimes", "linux-x64", "native", "libsecp256k1.so");
        if (truncated) File.WriteAllBytes(library, []);
        else File.Delete(library);
        try
        {
            ProcessResult result = await ProcessRunner.RunAsync("dotnet", "", Path.Combine(copy, "fastload.dll"), "presign", "--count", "10", "--out", TestPaths.NewFile(".bin"));
            Assert.Equal(3, result.ExitCode);
            string line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("fastload: " + expected, line);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
