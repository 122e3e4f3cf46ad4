using System.Globalization;
using DuckDB.NET.Native;

namespace FastLoad.Runner.Query;

/// <summary>
/// JSON lines: one object per row, keyed by column name, so output streams and tools such as <c>jq</c> read it row by
/// row. Numbers are bare JSON numbers with every digit (integers wider than 2^53 too; NaN and ±infinity become
/// null), booleans true/false, NULL null; everything else is a string as the table shows it (timestamps ISO-8601
/// UTC, blobs 0x-hex).
/// </summary>
public sealed class JsonLinesOutput(TextWriter writer) : QueryOutput(writer)
{
    private string[] _keys = [];

    protected override void Begin()
    {
        _keys = new string[Names.Length];
        for (int c = 0; c < Names.Length; c++) _keys[c] = Quote(Names[c]) + ":";
    }

    protected override void WriteRows(List<object?[]> rows)
    {
        foreach (object?[] row in rows)
        {
            Writer.Write('{');
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0) Writer.Write(',');
                Writer.Write(_keys[c]);
                Writer.Write(Value(Types[c], row[c]));
            }
            Writer.Write("}\n");
        }
    }

    protected override void End(long rowCount)
    {
    }

    private static string Value(DuckDBType type, object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "null",
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        long or ulong or Int128 or UInt128 when CellText.IsNumber(type) => ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(CellText.Format(type, value)!),
    };

    /// <summary>A JSON string: quotes, backslashes and control characters escaped; everything else as is (UTF-8 out).</summary>
    public static string Quote(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (char ch in text)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (ch < 0x20) sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
