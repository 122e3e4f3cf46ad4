namespace FastLoad.Runner.Query;

/// <summary>
/// CSV with a header line; fields quoted as RFC 4180 says (when they hold a comma, a double quote, CR or LF; quotes
/// doubled). NULL is an empty field and an empty string is <c>""</c>, so the two stay apart. Lines end in LF.
/// </summary>
public sealed class CsvOutput(TextWriter writer) : QueryOutput(writer)
{
    protected override void Begin()
    {
        for (int c = 0; c < Names.Length; c++) Field(c, Names[c]);
        if (Names.Length > 0) Writer.Write('\n');
    }

    protected override void WriteRows(List<object?[]> rows)
    {
        foreach (object?[] row in rows)
        {
            for (int c = 0; c < row.Length; c++) Field(c, CellText.Format(Types[c], row[c]));
            Writer.Write('\n');
        }
    }

    protected override void End(long rowCount)
    {
    }

    private void Field(int column, string? text)
    {
        if (column > 0) Writer.Write(',');
        if (text is null) return;
        if (text.Length > 0 && text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            Writer.Write(text);
            return;
        }
        Writer.Write('"');
        Writer.Write(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        Writer.Write('"');
    }
}
