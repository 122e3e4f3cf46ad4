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
        Secp256k1.EnsureAvailable();
        string expected = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libsecp256k1.so");
        Assert.Equal(expected, NativeLibraries.LoadedPath(NativeLibraries.Secp256k1));
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
}
