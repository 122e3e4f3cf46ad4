using DuckDB.NET.Native;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Runner.Query;

/// <summary>A query result written out as it streams in: the columns once, then rows chunk by chunk, then the end.</summary>
public abstract class QueryOutput(TextWriter writer)
{
    protected TextWriter Writer { get; } = writer;

    protected string[] Names { get; private set; } = [];

    protected DuckDBType[] Types { get; private set; } = [];

    /// <summary>table, csv or json.</summary>
    public static QueryOutput For(string format, TextWriter writer) => format switch
    {
        "table" => new TableOutput(writer),
        "csv" => new CsvOutput(writer),
        "json" => new JsonLinesOutput(writer),
        _ => throw new ArgumentException($"--format '{format}' is unknown: use table, csv or json"),
    };

    /// <summary>
    /// Reads <paramref name="reader"/> to the end into this output; returns the row count. Several statements that
    /// return rows are written one result after the other, each as a whole (header, rows, end).
    /// </summary>
    public long Write(QueryReader reader)
    {
        long total = 0;
        do
        {
            total += WriteResult(reader);
        }
        while (reader.NextResult());
        Writer.Flush();
        return total;
    }

    private long WriteResult(QueryReader reader)
    {
        var names = new string[reader.ColumnCount];
        var types = new DuckDBType[reader.ColumnCount];
        for (int c = 0; c < names.Length; c++)
        {
            names[c] = reader.ColumnName(c);
            types[c] = reader.ColumnType(c);
        }
        Names = names;
        Types = types;
        Begin();
        var rows = new List<object?[]>(2048);
        long count = 0;
        while (reader.Read(rows))
        {
            WriteRows(rows);
            count += rows.Count;
        }
        End(count);
        return count;
    }

    protected abstract void Begin();

    protected abstract void WriteRows(List<object?[]> rows);

    protected abstract void End(long rowCount);
}
