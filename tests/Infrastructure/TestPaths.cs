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

    /// <summary>The fastload program built next to the tests (the tests reference the Runner project).</summary>
    public static string FastloadDll => Path.Combine(AppContext.BaseDirectory, "fastload.dll");

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
