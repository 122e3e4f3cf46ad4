namespace FastLoad.Engine.Rpc;

/// <summary>
/// One extra request header (e.g. <c>Authorization: Bearer …</c>) that goes into an endpoint's precomputed request
/// head. The value is a secret as far as FastLoad knows: it is never printed or stored (<see cref="ToString"/> hides it).
/// </summary>
public readonly record struct HttpHeader
{
    /// <summary>Checks <paramref name="name"/> (an HTTP token) and <paramref name="value"/> (visible ASCII, spaces and tabs; no CR, LF or NUL).</summary>
    /// <exception cref="ArgumentException">One line naming the problem and the fix.</exception>
    public HttpHeader(string name, string value)
    {
        if (Validate(name, value) is string error) throw new ArgumentException(error);
        Name = name;
        Value = value.Trim(' ', '\t');
    }

    public string Name { get; }

    public string Value { get; }

    /// <summary>Headers FastLoad writes itself; giving them again would send them twice.</summary>
    public static bool IsReserved(string name) =>
        name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="name"/>: <paramref name="value"/> can go on the wire as is; else a one-line reason and fix (the value is never quoted).</summary>
    public static string? Validate(string name, string value)
    {
        if (string.IsNullOrEmpty(name)) return "a header needs a name: use 'Name: value'";
        foreach (char c in name)
        {
            if (!IsTokenChar(c)) return $"header name '{Printable(name)}' has a character not allowed in a header name: use letters, digits and -";
        }
        if (IsReserved(name)) return $"header {name} is written by FastLoad itself: leave it out";
        foreach (char c in value)
        {
            if (c is '\r' or '\n' or '\0') return $"the value of header {name} contains a line break or NUL, which would split the request: remove it";
            if (c != '\t' && (c < 0x20 || c > 0x7e)) return $"the value of header {name} has a non-ASCII or control character: use printable ASCII (percent- or base64-encode it)";
        }
        return null;
    }

    /// <summary>RFC 9110 tchar: what a header name is made of.</summary>
    public static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static string Printable(string text)
    {
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++) if (chars[i] < 0x20 || chars[i] > 0x7e) chars[i] = '?';
        return new string(chars);
    }

    /// <summary><c>Name: &lt;redacted&gt;</c>: the value never reaches a log.</summary>
    public override string ToString() => $"{Name}: <redacted>";
}
