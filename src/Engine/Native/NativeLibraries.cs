using System.Reflection;
using System.Runtime.InteropServices;

namespace FastLoad.Engine.Native;

/// <summary>A native library FastLoad needs could not be loaded. Its message is one line that says how to get it.</summary>
public sealed class NativeLibraryMissingException(string message) : Exception(message);

/// <summary>
/// Resolves the native libraries the engine binds to (libsecp256k1, libduckdb), once, from the places
/// <c>native/install.sh</c> puts them: next to the assembly (<c>runtimes/linux-x64/native/</c>),
/// <c>$FASTLOAD_NATIVE_DIR</c>, the repository's <c>native/.deps/lib</c>, then the system loader.
/// </summary>
public static class NativeLibraries
{
    public const string Secp256k1 = "secp256k1";
    public const string DuckDb = "duckdb";

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, nint> Loaded = new(StringComparer.Ordinal);
    private static bool _resolverInstalled;

    /// <summary>Installs the resolver for this assembly's <c>LibraryImport</c>s. Idempotent.</summary>
    public static void EnsureResolver()
    {
        lock (Gate)
        {
            if (_resolverInstalled) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
            _resolverInstalled = true;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName is Secp256k1 or DuckDb ? Load(libraryName) : 0;

    /// <summary>Loads the library or throws <see cref="NativeLibraryMissingException"/> with the fix.</summary>
    public static nint Load(string name)
    {
        lock (Gate)
        {
            if (Loaded.TryGetValue(name, out nint handle)) return handle;
            foreach (string candidate in Candidates(name))
            {
                if (NativeLibrary.TryLoad(candidate, out handle))
                {
                    Loaded[name] = handle;
                    return handle;
                }
            }
            throw new NativeLibraryMissingException(name switch
            {
                Secp256k1 => "native library libsecp256k1 not found: run native/install.sh (installs Debian package libsecp256k1-dev), or set FASTLOAD_NATIVE_DIR to a folder holding libsecp256k1.so.1",
                _ => "native library libduckdb not found: run native/install.sh (installs npm package @duckdb/node-bindings-linux-x64), or set FASTLOAD_NATIVE_DIR to a folder holding libduckdb.so",
            });
        }
    }

    private static IEnumerable<string> Candidates(string name)
    {
        string[] files = name == Secp256k1
            ? ["libsecp256k1.so.1", "libsecp256k1.so", "libsecp256k1.so.2"]
            : ["libduckdb.so"];
        var folders = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
            AppContext.BaseDirectory,
        };
        string? env = Environment.GetEnvironmentVariable("FASTLOAD_NATIVE_DIR");
        if (!string.IsNullOrEmpty(env)) folders.Insert(0, env);
        string? repo = FindRepoNativeDir();
        if (repo is not null) folders.Add(repo);
        foreach (string folder in folders)
            foreach (string file in files)
            {
                string path = Path.Combine(folder, file);
                if (File.Exists(path)) yield return path;
            }
        // Finally the system loader's own search (ldconfig paths).
        foreach (string file in files) yield return file;
    }

    private static string? FindRepoNativeDir()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "native", ".deps", "lib");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
