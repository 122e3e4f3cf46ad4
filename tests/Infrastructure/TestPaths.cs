namespace FastLoad.Tests.Infrastructure;

/// <summary>Locates the repository, its native deps and the reference vectors.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>tests/vectors</c> in the repository (a copy of the reference data), or <c>$FASTLOAD_VECTORS</c>.</summary>
    public static string Vectors { get; } =
        Environment.GetEnvironmentVariable("FASTLOAD_VECTORS") is { Length: > 0 } env
            ? env
            : Path.Combine(RepoRoot, "tests", "vectors");

    public static string NativeBin(string name) => Path.Combine(RepoRoot, "native", ".deps", "bin", name);

    /// <summary>
    /// The fastload program in the Runner's own output folder (built with the tests, which reference the Runner project,
    /// in the same configuration). Not the copy next to the tests: the tests reference the ASP.NET Core framework (the
    /// Kestrel TLS front), so the SDK leaves out of the tests' folder the Microsoft.Extensions assemblies that framework
    /// carries, and fastload, which runs on the base framework only, would not find them there.
    /// </summary>
    public static string FastloadDll { get; } = FindFastloadDll();

    private static string FindFastloadDll()
    {
        // tests/bin/<Configuration>/<tfm>/ → src/Runner/bin/<Configuration>/<tfm>/fastload.dll
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = tfm.Parent!.Name;
        string path = Path.Combine(RepoRoot, "src", "Runner", "bin", configuration, tfm.Name, "fastload.dll");
        if (!File.Exists(path)) throw new InvalidOperationException($"{path} not found: build the Runner ({configuration}) with the tests");
        return path;
    }

    /// <summary>
    /// Working directory for the fastload processes tests start (runs write their default results file under
    /// <c>results/</c> there), and a place for test files; one per test process, removed by nobody in particular.
    /// </summary>
    public static string Scratch { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"fastload-tests-{Environment.ProcessId}")).FullName;

    /// <summary>A fresh path under <see cref="Scratch"/> (the file does not exist).</summary>
    public static string NewFile(string extension) => Path.Combine(Scratch, $"{Guid.NewGuid():N}{extension}");

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastLoad.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("FastLoad.sln not found above " + AppContext.BaseDirectory);
    }
}
