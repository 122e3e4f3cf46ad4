using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastLoad.Engine.Rpc;

/// <summary>
/// A parsed <c>http://host:port/path</c> JSON-RPC endpoint: the host resolved once, and the request-head
/// prefix precomputed so a request only appends its content length and body.
/// </summary>
public sealed class RpcEndpoint
{
    private readonly byte[] _headPrefix;

    private RpcEndpoint(string host, int port, string pathAndQuery, IPAddress[] addresses)
    {
        Host = host;
        Port = port;
        PathAndQuery = pathAndQuery;
        Addresses = addresses;
        string authority = host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
        Url = $"http://{authority}{pathAndQuery}";
        // "POST <path> HTTP/1.1\r\nHost: host:port\r\nContent-Type: application/json\r\nContent-Length: "
        _headPrefix = Encoding.ASCII.GetBytes(
            $"POST {pathAndQuery} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: ");
    }

    /// <summary>The normalised URL, e.g. <c>http://127.0.0.1:8545/</c>.</summary>
    public string Url { get; }

    /// <summary>The host as written (without IPv6 brackets).</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>The request target: path plus query, never empty (at least "/").</summary>
    public string PathAndQuery { get; }

    /// <summary>The resolved addresses, IPv4 first; a connection tries them in order.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>
    /// <c>POST /path HTTP/1.1\r\nHost: host:port\r\nContent-Type: application/json\r\nContent-Length: </c> as ASCII;
    /// a request writes this, the body length in decimal, <c>\r\n\r\n</c>, then the body.
    /// </summary>
    public ReadOnlySpan<byte> RequestHeadPrefix => _headPrefix;

    public override string ToString() => Url;

    /// <summary>
    /// Parses and resolves <paramref name="url"/>; throws <see cref="ArgumentException"/> whose message is one line
    /// naming the problem and the fix (no parameter name appended, so a CLI can print it as is).
    /// </summary>
    public static RpcEndpoint Parse(string url) =>
        TryParse(url, out RpcEndpoint? endpoint, out string? error) ? endpoint : throw new ArgumentException(error);

    /// <summary>Parses and resolves <paramref name="url"/>; on failure <paramref name="error"/> is a one-line message naming the problem and the fix.</summary>
    public static bool TryParse(string? url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RpcEndpoint? endpoint,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        error = Validate(url, out string host, out int port, out string pathAndQuery);
        if (error is not null) return false;
        error = Resolve(host, out IPAddress[] addresses);
        if (error is not null) return false;
        endpoint = new RpcEndpoint(host, port, pathAndQuery, addresses);
        return true;
    }

    private static string? Validate(string? url, out string host, out int port, out string pathAndQuery)
    {
        host = "";
        port = 0;
        pathAndQuery = "/";
        string text = url?.Trim() ?? "";
        if (text.Length == 0) return "the RPC URL is empty: use http://host:port";
        if (text.AsSpan().IndexOfAny(" \t\r\n") >= 0) return $"'{text}' contains whitespace: use http://host:port/path without spaces";

        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return LooksLikeHostPort(text)
                ? $"'{text}' has no scheme: use http://{text}"
                : $"'{text}' is not a URL: use http://host:port";
        }
        string scheme = text[..schemeEnd].ToLowerInvariant();
        switch (scheme)
        {
            case "http":
                break;
            case "https":
                return "https is not supported: put a TLS-terminating proxy in front, or use http://";
            case "ws":
            case "wss":
                return $"{scheme}:// is not supported: FastLoad speaks HTTP/1.1 JSON-RPC, use the node's http:// endpoint";
            default:
                return $"'{scheme}://' is not supported: use http://host:port";
        }

        string rest = text[(schemeEnd + 3)..];
        int authorityEnd = rest.AsSpan().IndexOfAny("/?#");
        string authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        string tail = authorityEnd < 0 ? "" : rest[authorityEnd..];

        if (authority.Contains('@')) return $"credentials in '{text}' are not supported: remove user:password@, or put them in a proxy";
        if (authority.Length == 0) return $"'{text}' has no host: use http://host:port";

        string portText;
        if (authority[0] == '[')
        {
            int close = authority.IndexOf(']');
            if (close < 0) return $"'{authority}' has an unclosed IPv6 bracket: use http://[::1]:8545";
            host = authority[1..close];
            if (!IPAddress.TryParse(host, out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                return $"'{host}' is not an IPv6 address: use http://[::1]:8545";
            string after = authority[(close + 1)..];
            if (after.Length > 0 && after[0] != ':') return $"'{authority}' is not host:port: use http://[::1]:8545";
            portText = after.Length > 0 ? after[1..] : "";
            if (after.Length > 0 && portText.Length == 0) return $"'{text}' has an empty port: use a number from 1 to 65535";
        }
        else
        {
            int colon = authority.LastIndexOf(':');
            if (colon >= 0 && authority.IndexOf(':') != colon)
                return $"'{authority}' looks like an IPv6 address without brackets: use http://[{authority}]:8545";
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? "" : authority[(colon + 1)..];
            if (colon >= 0 && portText.Length == 0) return $"'{text}' has an empty port: use a number from 1 to 65535";
            if (host.Length == 0) return $"'{text}' has no host: use http://host:port";
            if (!IsValidHostName(host)) return $"'{host}' is not a valid host name: use a name, an IPv4 address or [IPv6]";
        }

        port = 80;
        if (portText.Length > 0)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                return $"'{portText}' is not a valid port: use a number from 1 to 65535";
        }

        int fragment = tail.IndexOf('#');
        if (fragment >= 0) return $"'{text}' has a #fragment, which is never sent to a server: remove it";
        if (tail.Length == 0) pathAndQuery = "/";
        else if (tail[0] == '?') pathAndQuery = "/" + tail;
        else pathAndQuery = tail;
        foreach (char c in pathAndQuery)
        {
            if (c < 0x21 || c > 0x7e) return $"the path '{pathAndQuery}' has a character that cannot go on the request line: percent-encode it";
        }
        return null;
    }

    private static bool LooksLikeHostPort(string text)
    {
        int colon = text.LastIndexOf(':');
        return colon > 0 && colon < text.Length - 1 && text.AsSpan(colon + 1).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private static bool IsValidHostName(string host)
    {
        foreach (char c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) return false;
        }
        return true;
    }

    private static string? Resolve(string host, out IPAddress[] addresses)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            addresses = [literal];
            return null;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            addresses = [IPAddress.Loopback, IPAddress.IPv6Loopback];
            return null;
        }
        try
        {
            IPAddress[] found = Dns.GetHostAddresses(host);
            // IPv4 first: nodes usually listen on 0.0.0.0 or 127.0.0.1.
            addresses = [.. found.Where(a => a.AddressFamily == AddressFamily.InterNetwork),
                         .. found.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6)];
            return addresses.Length > 0 ? null : $"host '{host}' has no IPv4 or IPv6 address: check the name, or use an IP address";
        }
        catch (SocketException e)
        {
            addresses = [];
            return $"cannot resolve host '{host}' ({e.SocketErrorCode}): check the name, or use an IP address";
        }
    }
}
