using System.Text;

namespace FastLoad.Generators;

/// <summary>A StringBuilder that indents: four spaces a level, <c>\n</c> line ends on every platform.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public SourceWriter WriteLine(string line)
    {
        if (line.Length > 0) _builder.Append(' ', _indent * 4).Append(line);
        _builder.Append('\n');
        return this;
    }

    public SourceWriter WriteLine() => WriteLine(string.Empty);

    /// <summary>Writes <c>{</c> and indents what follows.</summary>
    public SourceWriter OpenBlock()
    {
        WriteLine("{");
        _indent++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c>.</summary>
    public SourceWriter CloseBlock()
    {
        _indent--;
        return WriteLine("}");
    }

    public override string ToString() => _builder.ToString();
}
