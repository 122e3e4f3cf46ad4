using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastLoad.Engine.Rpc;

/// <summary>
/// A parsed <c>http://host:port/path</c> or <c>https://[user:password@]host[:port]/path</c> JSON-RPC endpoint: the
/// host resolved once, and the request-head prefix (extra headers included) precomputed so a request only appends its
/// content length and body.
/// </summary>
public sealed class RpcEndpoint
{
    private readonly byte[] _headPrefix;

    private RpcEndpoint(bool tls, string host, int port, string pathAndQuery, IPAddress[] addresses, IReadOnlyList<HttpHeader> headers, TlsOptions trust)
    {
        IsTls = tls;
        Host = host;
        Port = port;
        PathAndQuery = pathAndQuery;
        Addresses = addresses;
        Headers = headers;
        Tls = tls ? trust : null;
        string hostText = host.Contains(':') ? $"[{host}]" : host;
        string authority = $"{hostText}:{port}";
        Url = $"{(tls ? "https" : "http")}://{authority}{pathAndQuery}";
        // The Host header leaves out the scheme's default port, as browsers and curl do (some virtual hosts want it so).
        string hostHeader = port == (tls ? 443 : 80) ? hostText : authority;
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"POST {pathAndQuery} HTTP/1.1\r\nHost: {hostHeader}\r\nContent-Type: application/json\r\n");
        foreach (HttpHeader header in headers) head.Append(CultureInfo.InvariantCulture, $"{header.Name}: {header.Value}\r\n");
        head.Append("Content-Length: ");
        _headPrefix = Encoding.ASCII.GetBytes(head.ToString());
    }

    /// <summary>
    /// The normalised URL, e.g. <c>http://127.0.0.1:8545/</c>, safe to print and store: user and password of the
    /// given URL are left out (they become an <c>Authorization: Basic</c> header).
    /// </summary>
    public string Url { get; }

    /// <summary><c>https://</c>: the connection runs TLS (<see cref="Tls"/> says whom to trust).</summary>
    public bool IsTls { get; }

    /// <summary>How the server's certificate is trusted; null for plain http.</summary>
    public TlsOptions? Tls { get; }

    /// <summary>Extra request headers, in order: those given, then <c>Authorization: Basic</c> from the URL's user:password.</summary>
    public IReadOnlyList<HttpHeader> Headers { get; }

    /// <summary>The same host, port and path as a WebSocket URL: <c>ws://</c> for http, <c>wss://</c> for https.</summary>
    public Uri WebSocketUri => new(IsTls ? "wss" + Url[5..] : "ws" + Url[4..]);

    /// <summary>The host as written (without IPv6 brackets).</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>The request target: path plus query, never empty (at least "/").</summary>
    public string PathAndQuery { get; }

    /// <summary>The resolved addresses, IPv4 first; a connection tries them in order.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>
    /// <c>POST /path HTTP/1.1\r\nHost: host:port\r\nContent-Type: application/json\r\n</c>, the extra
    /// <see cref="Headers"/>, then <c>Content-Length: </c>, as ASCII; a request writes this, the body length in
    /// decimal, <c>\r\n\r\n</c>, then the body. Computed once, so headers cost nothing per request.
    /// </summary>
    public ReadOnlySpan<byte> RequestHeadPrefix => _headPrefix;

    public override string ToString() => Url;

    /// <summary>
    /// Parses and resolves <paramref name="url"/>; throws <see cref="ArgumentException"/> whose message is one line
    /// naming the problem and the fix (no parameter name appended, so a CLI can print it as is).
    /// </summary>
    public static RpcEndpoint Parse(string url, RpcConnectOptions? options = null) =>
        TryParse(url, options, out RpcEndpoint? endpoint, out string? error) ? endpoint : throw new ArgumentException(error);

    /// <summary>Parses and resolves <paramref name="url"/>; on failure <paramref name="error"/> is a one-line message naming the problem and the fix.</summary>
    public static bool TryParse(string? url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RpcEndpoint? endpoint,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error) => TryParse(url, null, out endpoint, out error);

    /// <summary>As <see cref="TryParse(string?, out RpcEndpoint?, out string?)"/>, with extra headers and TLS trust.</summary>
    public static bool TryParse(string? url, RpcConnectOptions? options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RpcEndpoint? endpoint,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        options ??= RpcConnectOptions.None;
        error = Validate(url, out bool tls, out string host, out int port, out string pathAndQuery, out HttpHeader? basicAuth);
        if (error is not null) return false;
        var headers = new List<HttpHeader>(options.Headers);
        if (basicAuth is HttpHeader auth)
        {
            foreach (HttpHeader given in headers)
            {
                if (given.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    error = $"{Redacted(url!)} has user:password@ and an Authorization header is given too: keep one of them";
                    return false;
                }
            }
            headers.Add(auth);
        }
        error = Resolve(host, out IPAddress[] addresses);
        if (error is not null) return false;
        endpoint = new RpcEndpoint(tls, host, port, pathAndQuery, addresses, headers, options.Tls);
        return true;
    }

    /// <summary><paramref name="url"/> with any <c>user:password@</c> taken out, for messages.</summary>
    public static string Redacted(string url)
    {
        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int authorityEnd = url.AsSpan(start).IndexOfAny("/?#");
        int end = authorityEnd < 0 ? url.Length : start + authorityEnd;
        int at = url.LastIndexOf('@', end - 1, end - start);
        return at < 0 ? url : string.Concat(url.AsSpan(0, start), "<credentials>@", url.AsSpan(at + 1));
    }

    private static string? Validate(string? url, out bool tls, out string host, out int port, out string pathAndQuery, out HttpHeader? basicAuth)
    {
        string? error = ValidateParts(url, out tls, out host, out port, out pathAndQuery, out basicAuth);
        // An '@' after the authority most likely ends a user:password@ whose password holds an unencoded '/', '?' or
        // '#' (which end the authority, as in every URL parser): the message would quote part of the password as a
        // port, a path or a #fragment. Say what to do without quoting any of it.
        if (error is not null && url is not null && LooseCredentials(url.Trim()) is string shown)
            return $"'{shown}' is not a valid URL: if its user:password@ holds '/', '?', '#', '@' or a space, percent-encode them (%2F, %3F, %23, %40, %20)";
        return error;
    }

    /// <summary>
    /// For an http(s) URL with an '@' after its authority: the URL with everything from the scheme to the last '@'
    /// blanked (<c>https://&lt;credentials&gt;@host/</c>); null for any other.
    /// </summary>
    private static string? LooseCredentials(string text)
    {
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return null;
        string scheme = text[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("http" or "https")) return null;
        int start = schemeEnd + 3;
        int authorityEnd = text.AsSpan(start).IndexOfAny("/?#");
        int lastAt = text.LastIndexOf('@');
        if (authorityEnd < 0 || lastAt < start + authorityEnd) return null;
        return string.Concat(text.AsSpan(0, start), "<credentials>@", text.AsSpan(lastAt + 1));
    }

    private static string? ValidateParts(string? url, out bool tls, out string host, out int port, out string pathAndQuery, out HttpHeader? basicAuth)
    {
        tls = false;
        host = "";
        port = 0;
        pathAndQuery = "/";
        basicAuth = null;
        string text = url?.Trim() ?? "";
        if (text.Length == 0) return "the RPC URL is empty: use http://host:port";
        if (text.AsSpan().IndexOfAny(" \t\r\n") >= 0) return $"'{Redacted(text)}' contains whitespace: use http://host:port/path without spaces";

        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return LooksLikeHostPort(text)
                ? $"'{Redacted(text)}' has no scheme: use http://{Redacted(text)}"
                : $"'{Redacted(text)}' is not a URL: use http://host:port";
        }
        string scheme = text[..schemeEnd].ToLowerInvariant();
        switch (scheme)
        {
            case "http":
                break;
            case "https":
                tls = true;
                break;
            case "ws":
            case "wss":
                return $"{scheme}:// is not supported for sending: FastLoad speaks HTTP/1.1 JSON-RPC, use the node's http:// or https:// endpoint (give {scheme}:// to --ws for heads)";
            default:
                return $"'{scheme}://' is not supported: use http://host:port or https://host:port";
        }

        string rest = text[(schemeEnd + 3)..];
        int authorityEnd = rest.AsSpan().IndexOfAny("/?#");
        string authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        string tail = authorityEnd < 0 ? "" : rest[authorityEnd..];

        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            string? problem = BasicAuth(authority[..at], out basicAuth);
            if (problem is not null) return problem;
            authority = authority[(at + 1)..];
            text = Redacted(text); // from here on, messages quote the URL without its credentials
        }
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

        port = tls ? 443 : 80;
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

    /// <summary>
    /// <c>user:password</c> (percent-decoded) as <c>Authorization: Basic base64(user:password)</c>; a message (without
    /// the secret) when it cannot be.
    /// </summary>
    private static string? BasicAuth(string userInfo, out HttpHeader? header)
    {
        header = null;
        string decoded = Uri.UnescapeDataString(userInfo);
        if (decoded.Length == 0) return "the URL has an empty user:password before @: give user:password@ or leave the @ out";
        if (decoded.AsSpan().IndexOfAny("\r\n\0") >= 0) return "the user:password@ of the URL contains a line break or NUL: remove it";
        // RFC 7617: user-id ":" password, the colon there even when the password is empty.
        if (!decoded.Contains(':')) decoded += ":";
        header = new HttpHeader("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(decoded)));
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
