using FastLoad.Runner.Commands;
using FastLoad.Runner.Query;

namespace FastLoad.Tests.Query;

public sealed class FileArgumentsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fastload-glob-" + Guid.NewGuid().ToString("N"));

    public FileArgumentsTests()
    {
        foreach (string file in new[] { "results/a1.duckdb", "results/a2.duckdb", "results/b.duckdb", "results/notes.txt", "results/.hidden.duckdb", "results/old/c.duckdb", "results/old/deep/d.duckdb" })
        {
            string path = Path.Combine(_root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private List<string> Names(string pattern) =>
        FileArguments.Expand(Path.Combine(_root, pattern)).Select(p => Path.GetRelativePath(_root, p)).ToList();

    [Fact]
    public void Star_question_mark_and_sets_match_file_names_sorted_without_dot_files()
    {
        Assert.Equal(["results/a1.duckdb", "results/a2.duckdb", "results/b.duckdb"], Names("results/*.duckdb"));
        Assert.Equal(["results/a1.duckdb", "results/a2.duckdb"], Names("results/a?.duckdb"));
        Assert.Equal(["results/a2.duckdb", "results/b.duckdb"], Names("results/[!a]*.duckdb").Concat(Names("results/a[2]*")).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(["results/old/c.duckdb"], Names("*/old/*.duckdb"));
        Assert.Empty(Names("results/*.parquet"));
    }

    [Fact]
    public void Double_star_matches_any_depth_including_none()
    {
        Assert.Equal(
            ["results/a1.duckdb", "results/a2.duckdb", "results/b.duckdb", "results/old/c.duckdb", "results/old/deep/d.duckdb"],
            Names("results/**/*.duckdb"));
    }

    [Fact]
    public void Relative_globs_resolve_against_the_working_directory()
    {
        string saved = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = _root;
            Assert.Equal(["results/a1.duckdb", "results/a2.duckdb"], FileArguments.Expand("results/a*.duckdb"));
        }
        finally
        {
            Environment.CurrentDirectory = saved;
        }
    }

    [Fact]
    public void The_last_argument_is_the_sql_and_a_forgotten_one_is_named()
    {
        string a1 = Path.Combine(_root, "results/a1.duckdb");
        (List<string> files, string sql) = QueryCommand.Split([Path.Combine(_root, "results/a*.duckdb"), a1, "SELECT 1"]);
        Assert.Equal("SELECT 1", sql);
        Assert.Equal(2, files.Count); // a1 named twice counts once
        Assert.Contains("no SQL given", Assert.Throws<ArgumentException>(() => QueryCommand.Split([a1])).Message);
        Assert.Contains("no SQL given", Assert.Throws<ArgumentException>(() => QueryCommand.Split([a1, Path.Combine(_root, "results/*.duckdb")])).Message);
        Assert.Contains("no results file given", Assert.Throws<ArgumentException>(() => QueryCommand.Split(["SELECT 1"])).Message);
        Assert.Contains("the SQL must be the last argument", Assert.Throws<ArgumentException>(() => QueryCommand.Split([a1, "SELECT 1", "x"])).Message);
    }
}
