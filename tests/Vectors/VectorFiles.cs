using System.Text.Json;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Vectors;

/// <summary>The signed-transaction vectors made by foundry's cast (shared/vectors).</summary>
public static class VectorFiles
{
    public static string SignedTransactionsPath => Path.Combine(TestPaths.Vectors, "signed-transactions.jsonl");

    public static string Signed7702Path => Path.Combine(TestPaths.Vectors, "signed-7702.jsonl");

    public static string[] Lines(string path) => File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();

    /// <summary>xunit theory data: (line number, line) so each case is named by its position.</summary>
    public static TheoryData<int, string> Cases(string path)
    {
        var data = new TheoryData<int, string>();
        string[] lines = Lines(path);
        for (int i = 0; i < lines.Length; i++) data.Add(i + 1, lines[i]);
        return data;
    }

    public static string Field(string line, string name)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty(name).GetString()!;
    }
}
