using System.Text;

namespace FastLoad.Runner.Serve;

/// <summary>
/// A served run's console: what <c>fastload run</c> prints (progress lines, summary, errors), kept as its last
/// <c>keep</c> lines for the API. Thread-safe; every write is on a cold path (a line a second, the summary).
/// </summary>
internal sealed class LineLog(int keep) : TextWriter
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _partial = new();
    private readonly Queue<string> _lines = new();

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The first complete line written, if any (for the error writer: the run's one-line error).</summary>
    public string? FirstLine { get; private set; }

    public override void Write(char value)
    {
        lock (_gate) Append(value);
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        lock (_gate)
            foreach (char c in value) Append(c);
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <summary>The lines kept, the unfinished last one included.</summary>
    public string[] Lines()
    {
        lock (_gate) return _partial.Length > 0 ? [.. _lines, _partial.ToString()] : [.. _lines];
    }

    private void Append(char c)
    {
        if (c == '\r') return;
        if (c != '\n')
        {
            _partial.Append(c);
            return;
        }
        string line = _partial.ToString();
        _partial.Clear();
        FirstLine ??= line;
        _lines.Enqueue(line);
        if (_lines.Count > keep) _lines.Dequeue();
    }
}

/// <summary>Writes every line to two writers (a run's errors: to its console and to a log that keeps the first error line).</summary>
internal sealed class TeeWriter(TextWriter first, TextWriter second) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        first.Write(value);
        second.Write(value);
    }

    public override void Write(string? value)
    {
        first.Write(value);
        second.Write(value);
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));
}
