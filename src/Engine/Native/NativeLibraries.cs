using System.Reflection;
using System.Runtime.InteropServices;

namespace FastLoad.Engine.Native;

/// <summary>A native library FastLoad needs could not be loaded. Its message is one line that says how to get it.</summary>
public sealed class NativeLibraryMissingException(string message) : Exception(message);

/// <summary>
/// Resolves the native library the engine binds to itself (libsecp256k1), once. It comes from the NuGet package
/// Secp256k1.Net, which the build copies next to the assembly under <c>runtimes/linux-x64/native/</c> (flat next to it
/// after a RID-specific publish); <c>$FASTLOAD_NATIVE_DIR</c> is the fallback. Nothing is taken from the system
/// loader's paths, so an old distribution copy is never picked up by accident.
/// <para>libduckdb is not resolved here: DuckDB.NET.Bindings declares its own imports, and the runtime loads the
/// library for them from the same <c>runtimes/linux-x64/native/</c> folder through the app's deps.json (one copy, loaded
/// once; a resolver of ours would only be a second way to the same file). <see cref="DuckDbMissing"/> turns its
/// absence into the same one-line error.</para>
/// </summary>
public static class NativeLibraries
{
    public const string Secp256k1 = "secp256k1";

    private const string NativeDirVariable = "FASTLOAD_NATIVE_DIR";

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (nint Handle, string Path)> Loaded = new(StringComparer.Ordinal);
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
        libraryName is Secp256k1 ? Load(libraryName) : 0;

    /// <summary>Loads the library or throws <see cref="NativeLibraryMissingException"/> with the fix.</summary>
    public static nint Load(string name)
    {
        lock (Gate)
        {
            if (Loaded.TryGetValue(name, out var loaded)) return loaded.Handle;
            string file = FileName(name);
            string? failure = null;
            foreach (string folder in Folders())
            {
                string path = Path.Combine(folder, file);
                if (!File.Exists(path)) continue;
                try
                {
                    nint handle = NativeLibrary.Load(path);
                    Loaded[name] = (handle, path);
                    return handle;
                }
                catch (DllNotFoundException e)
                {
                    // Present but unloadable (truncated, wrong architecture, missing dependency): say so, keep looking.
                    failure ??= $"native library {path} does not load ({LoaderReason(e.Message, path)})";
                }
            }
            throw new NativeLibraryMissingException(
                (failure ?? $"native library {file} not found in runtimes/linux-x64/native/ next to the FastLoad assemblies")
                + $": build with 'dotnet build' (restores NuGet package Secp256k1.Net, which carries it), or set {NativeDirVariable} to a folder holding {file}");
        }
    }

    // The runtime's message wraps the loader's ("...LD_DEBUG environment variable:  /path/lib.so: file too short"): keep the loader's.
    private static string LoaderReason(string message, string path)
    {
        int at = message.LastIndexOf(path + ": ", StringComparison.Ordinal);
        return (at >= 0 ? message[(at + path.Length + 2)..] : message).ReplaceLineEndings(" ").Trim();
    }

    /// <summary>Full path of the file a library was loaded from, or null when it is not loaded (yet).</summary>
    public static string? LoadedPath(string name)
    {
        lock (Gate) return Loaded.TryGetValue(name, out var loaded) ? loaded.Path : null;
    }

    // The package's file name (Secp256k1.Net ships libsecp256k1.so, soname libsecp256k1.so.6).
    private static string FileName(string name) => name == Secp256k1 ? "libsecp256k1.so" : $"lib{name}.so";

    /// <summary>The one-line error for libduckdb missing or unloadable when DuckDB.NET first calls it.</summary>
    public static NativeLibraryMissingException DuckDbMissing(DllNotFoundException e) => new(
        $"native library libduckdb.so did not load ({LoaderReason(e.Message, "libduckdb.so")}): build with 'dotnet build' "
        + "(restores NuGet package DuckDB.NET.Bindings.Full, which carries it in runtimes/linux-x64/native/ next to the FastLoad assemblies)");

    /// <summary>
    /// The distinct files named <paramref name="fileName"/> mapped into this process (from /proc/self/maps): which copy
    /// of a library the loader really took, however it was resolved.
    /// </summary>
    public static IReadOnlyList<string> MappedFiles(string fileName)
    {
        var paths = new List<string>();
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            string path = line[slash..];
            if (Path.GetFileName(path) == fileName && !paths.Contains(path)) paths.Add(path);
        }
        return paths;
    }

    private static IEnumerable<string> Folders()
    {
        // AppContext.BaseDirectory, not Assembly.Location: the engine is AOT- and single-file-compatible.
        string appDir = AppContext.BaseDirectory;
        yield return Path.Combine(appDir, "runtimes", "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "native");
        yield return appDir;
        if (Environment.GetEnvironmentVariable(NativeDirVariable) is { Length: > 0 } env) yield return env;
    }
}
