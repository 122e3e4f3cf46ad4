namespace FastLoad.Engine.Native;

/// <summary>A native library FastLoad needs could not be loaded. Its message is one line that says how to get it.</summary>
public sealed class NativeLibraryMissingException(string message) : Exception(message);

/// <summary>
/// The two native libraries come with their NuGet packages, and the packages load them: libsecp256k1 by Secp256k1.Net,
/// libduckdb by DuckDB.NET.Bindings, each from the <c>runtimes/linux-x64/native/</c> folder the SDK copies next to the
/// assemblies (the app's deps.json names it). FastLoad declares no imports of its own. This class turns a failed
/// load into one line that says how to get the library, and tells which file the loader really mapped.
/// </summary>
public static class NativeLibraries
{
    /// <summary>The one-line error for libsecp256k1 missing or unloadable when Secp256k1.Net first loads it.</summary>
    public static NativeLibraryMissingException Secp256k1Missing(Exception e) => new(
        $"native library libsecp256k1.so did not load ({Reason(e, "libsecp256k1.so")}): build with 'dotnet build' "
        + "(restores NuGet package Secp256k1.Net, which carries it in runtimes/linux-x64/native/ next to the FastLoad assemblies)");

    /// <summary>The one-line error for libduckdb missing or unloadable when DuckDB.NET first calls it.</summary>
    public static NativeLibraryMissingException DuckDbMissing(DllNotFoundException e) => new(
        $"native library libduckdb.so did not load ({Reason(e, "libduckdb.so")}): build with 'dotnet build' "
        + "(restores NuGet package DuckDB.NET.Bindings.Full, which carries it in runtimes/linux-x64/native/ next to the FastLoad assemblies)");

    // The runtime's message wraps the loader's ("...LD_DEBUG environment variable:  /path/lib.so: file too short"): keep the loader's.
    private static string Reason(Exception e, string file)
    {
        while (e.InnerException is not null && e is TypeInitializationException) e = e.InnerException;
        string message = e.Message;
        if (message.Contains("lib not found", StringComparison.Ordinal)) return "not found";
        int at = message.LastIndexOf(file + ": ", StringComparison.Ordinal);
        return (at >= 0 ? message[(at + file.Length + 2)..] : message).ReplaceLineEndings(" ").Trim();
    }

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
}
