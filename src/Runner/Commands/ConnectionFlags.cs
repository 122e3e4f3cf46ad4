using System.CommandLine;
using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Runner.Commands;

/// <summary>
/// The flags every command taking <c>--rpc</c> shares for real endpoints: <c>--header</c> (repeatable, for every node
/// or one), <c>--ca-cert FILE</c> and <c>--insecure</c>.
/// </summary>
public sealed class ConnectionFlags
{
    public Option<string[]> Header { get; } = new("--header", "-H")
    {
        Description = "Extra request header 'Name: value' (repeatable); 'N=Name: value' for the N-th --rpc node only (0-based). "
                      + "$VAR or ${VAR} in the value reads the environment (single-quote it), env:VAR takes the whole value from VAR, $$ is a $.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<FileInfo?> CaCert { get; } = new("--ca-cert")
    {
        Description = "PEM file of a CA (or a self-signed server certificate) to trust for https:// and wss://, besides the system's store.",
    };

    public Option<bool> Insecure { get; } = new("--insecure")
    {
        Description = "Do not check https:// and wss:// certificates at all (test endpoints only; prints a warning).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Header);
        command.Options.Add(CaCert);
        command.Options.Add(Insecure);
    }

    /// <summary>
    /// The headers and trust the flags give, checked against <paramref name="nodes"/> --rpc URLs. Throws
    /// <see cref="ArgumentException"/> with one line. Prints the --insecure warning to stderr.
    /// </summary>
    /// <param name="expandEnvironment">
    /// False for a run started through <c>fastload serve</c>'s API: its flags come from whoever holds the token, and
    /// <c>$VAR</c> would send any of the service's environment variables (FASTLOAD_FUNDER_KEY, the API token) to a URL
    /// of their choosing, so it is refused.
    /// </param>
    public (IReadOnlyList<NodeHeader> Headers, TlsOptions Tls) Read(ParseResult parse, int nodes, string command, bool expandEnvironment = true)
    {
        var headers = new List<NodeHeader>();
        foreach (string spec in parse.GetValue(Header) ?? []) headers.Add(ParseHeader(spec, nodes, expandEnvironment ? Environment.GetEnvironmentVariable : null));
        FileInfo? ca = parse.GetValue(CaCert);
        bool insecure = parse.GetValue(Insecure);
        TlsOptions tls = ca is not null ? TlsOptions.WithCaFile(ca.FullName, insecure) : insecure ? new TlsOptions { Insecure = true } : TlsOptions.SystemTrust;
        if (insecure) Console.Error.WriteLine($"fastload {command}: warning: --insecure: https:// and wss:// certificates are not checked, anyone on the path can read and change the traffic");
        return (headers, tls);
    }

    /// <summary>
    /// <c>Name: value</c> or <c>N=Name: value</c> (node N, 0-based, of <paramref name="nodes"/>); the value's
    /// <c>$VAR</c>, <c>${VAR}</c> and whole-value <c>env:VAR</c> come from <paramref name="environment"/>. Messages never
    /// quote the value. A null <paramref name="environment"/> refuses <c>$VAR</c> and <c>env:VAR</c> (a served run).
    /// </summary>
    public static NodeHeader ParseHeader(string spec, int nodes, Func<string, string?>? environment)
    {
        int colon = spec.IndexOf(':');
        if (colon < 0)
        {
            // Without the ':' there is no telling name from value (a bare token, "Authorization Bearer tok"): quote at
            // most a leading header name followed by a space, never the rest.
            throw new ArgumentException(LeadingName(spec) is string leading
                ? $"--header '{leading} …' has no ':': use --header 'Name: value' (or 'N=Name: value' for node N)"
                : "--header has no ':' (its text is not shown, it may be a secret): use --header 'Name: value' (or 'N=Name: value' for node N)");
        }
        string name = spec[..colon].Trim();
        string raw = spec[(colon + 1)..].Trim(' ', '\t');
        int? node = null;
        int equals = name.IndexOf('=');
        if (equals >= 0)
        {
            // '=' is not allowed in a header name, so "N=Name" is always the per-node form.
            string index = name[..equals].Trim();
            name = name[(equals + 1)..].Trim();
            if (!int.TryParse(index, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 0)
                throw new ArgumentException($"--header '{index}={name}: …': '{index}' is not a node number: use N=Name: value with N the 0-based position in --rpc");
            if (nodes > 0 && n >= nodes)
                throw new ArgumentException($"--header '{n}={name}: …' is for node {n}, but --rpc gives {nodes} node(s) (numbered from 0): use 0..{nodes - 1}");
            if (nodes == 0) throw new ArgumentException($"--header '{n}={name}: …' names node {n}, but there is no --rpc: give the nodes with --rpc");
            node = n;
        }
        string value = ExpandEnvironment(raw, name, environment);
        if (HttpHeader.Validate(name, value) is string error) throw new ArgumentException($"--header: {error}");
        return new NodeHeader(node, new HttpHeader(name, value));
    }

    /// <summary><c>env:VAR</c> (the whole value), else <c>$VAR</c> / <c>${VAR}</c> anywhere and <c>$$</c> for a <c>$</c>.</summary>
    internal static string ExpandEnvironment(string raw, string header, Func<string, string?>? environment)
    {
        if (raw.StartsWith("env:", StringComparison.Ordinal)) return Lookup(raw[4..].Trim(), header, environment);
        if (!raw.Contains('$')) return raw;
        var text = new StringBuilder(raw.Length + 32);
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c != '$')
            {
                text.Append(c);
                continue;
            }
            if (i + 1 < raw.Length && raw[i + 1] == '$')
            {
                text.Append('$');
                i++;
                continue;
            }
            bool braced = i + 1 < raw.Length && raw[i + 1] == '{';
            int start = braced ? i + 2 : i + 1;
            int end = start;
            while (end < raw.Length && (char.IsAsciiLetterOrDigit(raw[end]) || raw[end] == '_')) end++;
            if (end == start || (braced && (end >= raw.Length || raw[end] != '}')))
                throw new ArgumentException($"--header {header}: a '$' in the value is not followed by a variable name: write $NAME or ${{NAME}}, or $$ for a literal $");
            text.Append(Lookup(raw[start..end], header, environment));
            i = braced ? end : end - 1;
        }
        return text.ToString();
    }

    private static string Lookup(string variable, string header, Func<string, string?>? environment)
    {
        if (variable.Length == 0) throw new ArgumentException($"--header {header}: env: needs a variable name, e.g. env:RPC_TOKEN");
        if (environment is null)
            throw new ArgumentException($"--header {header}: $VAR and env:VAR are not expanded in a run started through fastload serve (they would read the service's environment): give the value itself, or $$ for a literal $");
        string? value = environment(variable);
        if (value is null) throw new ArgumentException($"--header {header}: environment variable {variable} is not set: export it, e.g. export {variable}=…");
        return value;
    }

    /// <summary>The first word of <paramref name="spec"/> when it is a header name (at most 40 characters) followed by a space or tab; else null.</summary>
    private static string? LeadingName(string spec)
    {
        string text = spec.TrimStart(' ', '\t');
        int end = text.AsSpan().IndexOfAny(' ', '\t');
        if (end <= 0 || end > 40) return null;
        foreach (char c in text.AsSpan(0, end))
        {
            if (!HttpHeader.IsTokenChar(c)) return null;
        }
        return text[..end];
    }

    /// <summary>
    /// The command line with secrets blanked, for the results file: <c>--header</c> values (in every form the parser
    /// takes: <c>--header V</c>, <c>--header=V</c>, <c>--header:V</c>, the same with <c>-H</c>, and <c>-HV</c>) and
    /// <c>user:password@</c> in URLs.
    /// </summary>
    public static string[] RedactArguments(string[] args)
    {
        string[] copy = (string[])args.Clone();
        for (int i = 0; i < copy.Length; i++)
        {
            string a = copy[i];
            if ((a is "--header" or "-H") && i + 1 < copy.Length) copy[i + 1] = RedactHeader(copy[++i]);
            else if (AttachedHeader(a) is int start) copy[i] = a[..start] + RedactHeader(a[start..]);
            else if (a.Contains("://", StringComparison.Ordinal) && a.Contains('@')) copy[i] = RedactUrls(a);
        }
        return copy;
    }

    /// <summary>Where the value starts in <c>--header=V</c>, <c>--header:V</c>, <c>-H=V</c>, <c>-H:V</c> or <c>-HV</c>; null for any other argument.</summary>
    private static int? AttachedHeader(string arg)
    {
        if (arg.StartsWith("--header=", StringComparison.Ordinal) || arg.StartsWith("--header:", StringComparison.Ordinal)) return "--header=".Length;
        if (arg.StartsWith("-H=", StringComparison.Ordinal) || arg.StartsWith("-H:", StringComparison.Ordinal)) return 3;
        if (arg.StartsWith("-H", StringComparison.Ordinal) && arg.Length > 2) return 2;
        return null;
    }

    private static string RedactHeader(string spec)
    {
        int colon = spec.IndexOf(':');
        return colon < 0 ? "<redacted>" : spec[..(colon + 1)] + " <redacted>";
    }

    private static string RedactUrls(string text)
    {
        var parts = text.Split(',');
        for (int i = 0; i < parts.Length; i++) parts[i] = RpcEndpoint.Redacted(parts[i]);
        return string.Join(',', parts);
    }
}
