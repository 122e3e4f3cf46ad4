using System.Globalization;
using System.Text;

namespace FastLoad.Runner.Query;

/// <summary>
/// An aligned text table: header, a rule of dashes, one line per row, then <c>(N rows)</c>. Columns are two spaces
/// apart; numbers (and their headers) right-aligned, text left-aligned, NULL as <c>NULL</c>, line breaks and tabs in values as <c>\n</c>, <c>\t</c>; trailing spaces trimmed.
/// Column widths come from the header and the first <see cref="MeasuredRows"/> rows, which are held back; later rows
/// stream out at once, and a longer value there pushes the rest of its line right rather than costing memory.
/// </summary>
public sealed class TableOutput(TextWriter writer) : QueryOutput(writer)
{
    public const int MeasuredRows = 10_000;
    private const string Null = "NULL";
    private const string Gap = "  ";

    private readonly List<string[]> _held = [];
    private int[] _widths = [];
    private bool[] _right = [];
    private bool _measured;
    private bool _started;
    private readonly StringBuilder _line = new();

    protected override void Begin()
    {
        if (_started) Writer.Write('\n'); // a blank line between the tables of several statements
        _started = true;
        _measured = false;
        _held.Clear();
        _widths = new int[Names.Length];
        _right = new bool[Names.Length];
        for (int c = 0; c < Names.Length; c++)
        {
            _widths[c] = Names[c].Length;
            _right[c] = CellText.IsNumber(Types[c]);
        }
    }

    protected override void WriteRows(List<object?[]> rows)
    {
        foreach (object?[] row in rows)
        {
            var cells = new string[row.Length];
            for (int c = 0; c < row.Length; c++) cells[c] = OneLine(CellText.Format(Types[c], row[c]) ?? Null);
            if (_measured)
            {
                Line(cells);
                continue;
            }
            for (int c = 0; c < cells.Length; c++) _widths[c] = Math.Max(_widths[c], cells[c].Length);
            _held.Add(cells);
            if (_held.Count == MeasuredRows) Release();
        }
    }

    protected override void End(long rowCount)
    {
        if (!_measured) Release();
        Writer.Write(rowCount == 1 ? "(1 row)\n" : $"({rowCount.ToString("N0", CultureInfo.InvariantCulture)} rows)\n");
    }

    /// <summary>Widths are known: header, rule, the held rows.</summary>
    private void Release()
    {
        _measured = true;
        if (Names.Length == 0) return;
        Line(Names);
        _line.Clear();
        for (int c = 0; c < _widths.Length; c++) _line.Append(c == 0 ? "" : Gap).Append('-', _widths[c]);
        Writer.Write(_line.Append('\n'));
        foreach (string[] cells in _held) Line(cells);
        _held.Clear();
    }

    /// <summary>Line breaks and tabs inside a value would break the table: shown escaped.</summary>
    private static string OneLine(string text) => text.AsSpan().IndexOfAny("\n\r\t") < 0
        ? text
        : text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);

    private void Line(string[] cells)
    {
        _line.Clear();
        for (int c = 0; c < cells.Length; c++)
        {
            if (c > 0) _line.Append(Gap);
            int pad = Math.Max(0, _widths[c] - cells[c].Length);
            if (_right[c]) _line.Append(' ', pad).Append(cells[c]);
            else _line.Append(cells[c]).Append(' ', pad);
        }
        int end = _line.Length;
        while (end > 0 && _line[end - 1] == ' ') end--;
        _line.Length = end;
        Writer.Write(_line.Append('\n'));
    }
}
