using System.Net;
using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

public class RpcEndpointTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8545", "127.0.0.1", 8545, "/", "http://127.0.0.1:8545/")]
    [InlineData("http://127.0.0.1:8545/", "127.0.0.1", 8545, "/", "http://127.0.0.1:8545/")]
    [InlineData("HTTP://127.0.0.1", "127.0.0.1", 80, "/", "http://127.0.0.1:80/")]
    [InlineData("http://localhost:8545/rpc/v1", "localhost", 8545, "/rpc/v1", "http://localhost:8545/rpc/v1")]
    [InlineData("http://127.0.0.1:8545?key=abc", "127.0.0.1", 8545, "/?key=abc", "http://127.0.0.1:8545/?key=abc")]
    [InlineData("http://[::1]:8545/x", "::1", 8545, "/x", "http://[::1]:8545/x")]
    [InlineData("  http://127.0.0.1:1/  ", "127.0.0.1", 1, "/", "http://127.0.0.1:1/")]
    public void Parses_http_urls(string url, string host, int port, string path, string normalised)
    {
        RpcEndpoint endpoint = RpcEndpoint.Parse(url);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(path, endpoint.PathAndQuery);
        Assert.Equal(normalised, endpoint.Url);
    }

    [Fact]
    public void Precomputes_the_request_head_prefix()
    {
        RpcEndpoint endpoint = RpcEndpoint.Parse("http://127.0.0.1:8545/rpc");
        Assert.Equal("POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:8545\r\nContent-Type: application/json\r\nContent-Length: ",
            Encoding.ASCII.GetString(endpoint.RequestHeadPrefix));
        Assert.StartsWith("POST /x HTTP/1.1\r\nHost: [::1]:9\r\n", Encoding.ASCII.GetString(RpcEndpoint.Parse("http://[::1]:9/x").RequestHeadPrefix));
    }

    [Fact]
    public void Resolves_localhost_to_both_loopbacks_ipv4_first_and_literals_to_themselves()
    {
        Assert.Equal(new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }, RpcEndpoint.Parse("http://localhost:8545").Addresses);
        Assert.Equal(new[] { IPAddress.Parse("10.1.2.3") }, RpcEndpoint.Parse("http://10.1.2.3:8545").Addresses);
        Assert.Equal(new[] { IPAddress.IPv6Loopback }, RpcEndpoint.Parse("http://[::1]:8545").Addresses);
    }

    [Theory]
    [InlineData("foo", "'foo' is not a URL: use http://host:port")]
    [InlineData("localhost:8545", "'localhost:8545' has no scheme: use http://localhost:8545")]
    [InlineData("", "the RPC URL is empty: use http://host:port")]
    [InlineData("ws://127.0.0.1:8546", "ws:// is not supported for sending: FastLoad speaks HTTP/1.1 JSON-RPC, use the node's http:// or https:// endpoint (give ws:// to --ws for heads)")]
    [InlineData("wss://127.0.0.1:8546", "wss:// is not supported for sending: FastLoad speaks HTTP/1.1 JSON-RPC, use the node's http:// or https:// endpoint (give wss:// to --ws for heads)")]
    [InlineData("ftp://127.0.0.1", "'ftp://' is not supported: use http://host:port or https://host:port")]
    [InlineData("http://127.0.0.1:0", "'0' is not a valid port: use a number from 1 to 65535")]
    [InlineData("http://127.0.0.1:70000", "'70000' is not a valid port: use a number from 1 to 65535")]
    [InlineData("http://127.0.0.1:abc", "'abc' is not a valid port: use a number from 1 to 65535")]
    [InlineData("http://127.0.0.1:", "'http://127.0.0.1:' has an empty port: use a number from 1 to 65535")]
    [InlineData("http://", "'http://' has no host: use http://host:port")]
    [InlineData("http://:8545", "'http://:8545' has no host: use http://host:port")]
    [InlineData("https://@127.0.0.1:8545", "the URL has an empty user:password before @: give user:password@ or leave the @ out")]
    [InlineData("https://user:s3cret@127.0.0.1:0", "'0' is not a valid port: use a number from 1 to 65535")]
    [InlineData("https://user:s3cret@127.0.0.1:8545/#x", "'https://<credentials>@127.0.0.1:8545/#x' has a #fragment, which is never sent to a server: remove it")]
    [InlineData("http://::1:8545", "'::1:8545' looks like an IPv6 address without brackets: use http://[::1:8545]:8545")]
    [InlineData("http://127.0.0.1:8545/#top", "'http://127.0.0.1:8545/#top' has a #fragment, which is never sent to a server: remove it")]
    [InlineData("http://bad host:1", "'http://bad host:1' contains whitespace: use http://host:port/path without spaces")]
    [InlineData("http://ex%61mple:1", "'ex%61mple' is not a valid host name: use a name, an IPv4 address or [IPv6]")]
    public void Rejects_anything_else_with_a_one_line_message_naming_the_fix(string url, string message)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => RpcEndpoint.Parse(url));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(RpcEndpoint.TryParse(url, out _, out string? error));
        Assert.Equal(message, error);
    }

    // A password with an unencoded '/', '?' or '#' ends the authority there (as in every URL parser): the rest of the
    // password became a "port", a path or a #fragment, and the message quoted it.
    [Theory]
    [InlineData("https://alice:s3cr/et@127.0.0.1:9/")]
    [InlineData("https://alice:s3cr#et@127.0.0.1:9/")]
    [InlineData("https://alice:s3cr?et@127.0.0.1:9/")]
    [InlineData("https://alice:1234#s3cret@127.0.0.1:9/")]
    [InlineData("https://alice:/s3cret@127.0.0.1:9/")]
    [InlineData("https://alice:s3 cret/x@127.0.0.1:9/")]
    public void A_password_with_an_unencoded_delimiter_is_refused_without_quoting_any_of_it(string url)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => RpcEndpoint.Parse(url));
        Assert.DoesNotContain("s3", e.Message);
        Assert.Contains("percent-encode", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("https://localhost", "localhost", 443, "/", "https://localhost:443/")]
    [InlineData("HTTPS://127.0.0.1:8443/rpc?x=1", "127.0.0.1", 8443, "/rpc?x=1", "https://127.0.0.1:8443/rpc?x=1")]
    [InlineData("https://[::1]/v2/key", "::1", 443, "/v2/key", "https://[::1]:443/v2/key")]
    public void Parses_https_urls_with_port_443_by_default(string url, string host, int port, string path, string normalised)
    {
        RpcEndpoint endpoint = RpcEndpoint.Parse(url);
        Assert.True(endpoint.IsTls);
        Assert.Same(TlsOptions.SystemTrust, endpoint.Tls);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(path, endpoint.PathAndQuery);
        Assert.Equal(normalised, endpoint.Url);
        Assert.Equal(new Uri("wss" + normalised[5..]), endpoint.WebSocketUri);
        Assert.Null(RpcEndpoint.Parse("http://127.0.0.1:1/").Tls);
        Assert.Equal("ws://127.0.0.1:1/", RpcEndpoint.Parse("http://127.0.0.1:1/").WebSocketUri.ToString());
    }

    [Fact]
    public void The_host_header_leaves_out_the_schemes_default_port()
    {
        Assert.StartsWith("POST / HTTP/1.1\r\nHost: localhost\r\n", Encoding.ASCII.GetString(RpcEndpoint.Parse("https://localhost/").RequestHeadPrefix));
        Assert.StartsWith("POST / HTTP/1.1\r\nHost: localhost:8443\r\n", Encoding.ASCII.GetString(RpcEndpoint.Parse("https://localhost:8443/").RequestHeadPrefix));
        Assert.StartsWith("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n", Encoding.ASCII.GetString(RpcEndpoint.Parse("http://127.0.0.1:80").RequestHeadPrefix));
        Assert.StartsWith("POST / HTTP/1.1\r\nHost: 127.0.0.1:443\r\n", Encoding.ASCII.GetString(RpcEndpoint.Parse("http://127.0.0.1:443").RequestHeadPrefix));
    }

    [Fact]
    public void Extra_headers_go_into_the_request_head_prefix_in_order()
    {
        var options = new RpcConnectOptions { Headers = [new HttpHeader("Authorization", "Bearer abc.def"), new HttpHeader("X-Api-Key", " k1 ")] };
        RpcEndpoint endpoint = RpcEndpoint.Parse("https://localhost:8443/v1", options);
        Assert.Equal("POST /v1 HTTP/1.1\r\nHost: localhost:8443\r\nContent-Type: application/json\r\nAuthorization: Bearer abc.def\r\nX-Api-Key: k1\r\nContent-Length: ",
            Encoding.ASCII.GetString(endpoint.RequestHeadPrefix));
        Assert.Equal(2, endpoint.Headers.Count);
    }

    [Fact]
    public void User_and_password_in_the_url_become_basic_auth_and_never_appear_in_the_url()
    {
        RpcEndpoint endpoint = RpcEndpoint.Parse("https://alice:p%40ss%3Aw0rd@localhost/v1");
        Assert.Equal("https://localhost:443/v1", endpoint.Url);
        Assert.DoesNotContain("alice", endpoint.ToString());
        HttpHeader auth = Assert.Single(endpoint.Headers);
        Assert.Equal("Authorization", auth.Name);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:p@ss:w0rd")), auth.Value);
        Assert.Contains("\r\nAuthorization: Basic YWxpY2U6cEBzczp3MHJk\r\n", Encoding.ASCII.GetString(endpoint.RequestHeadPrefix));
        Assert.Equal("Authorization: <redacted>", auth.ToString());
        // A user without a password is basic auth with an empty password; an empty user (":secret@", as some providers use) is kept.
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("key:")), Assert.Single(RpcEndpoint.Parse("http://key@127.0.0.1:1").Headers).Value);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(":secret")), Assert.Single(RpcEndpoint.Parse("https://:secret@127.0.0.1:1").Headers).Value);
    }

    [Fact]
    public void Basic_auth_and_an_authorization_header_together_are_refused()
    {
        var options = new RpcConnectOptions { Headers = [new HttpHeader("authorization", "Bearer x")] };
        Assert.False(RpcEndpoint.TryParse("https://u:topsecret@rpc.example/", options, out _, out string? error));
        Assert.Equal("https://<credentials>@rpc.example/ has user:password@ and an Authorization header is given too: keep one of them", error);
    }

    [Theory]
    [InlineData("https://u:p@h.example/a@b", "https://<credentials>@h.example/a@b")]
    [InlineData("https://h.example/a@b", "https://h.example/a@b")]
    [InlineData("u:p@h.example:1", "<credentials>@h.example:1")]
    [InlineData("http://127.0.0.1:1", "http://127.0.0.1:1")]
    public void Redacted_takes_out_credentials_only(string url, string expected) => Assert.Equal(expected, RpcEndpoint.Redacted(url));

    [Theory]
    [InlineData("", "x", "a header needs a name: use 'Name: value'")]
    [InlineData("X Key", "x", "header name 'X Key' has a character not allowed in a header name: use letters, digits and -")]
    [InlineData("Host", "x", "header Host is written by FastLoad itself: leave it out")]
    [InlineData("content-length", "1", "header content-length is written by FastLoad itself: leave it out")]
    [InlineData("X-Key", "a\r\nX-Evil: 1", "the value of header X-Key contains a line break or NUL, which would split the request: remove it")]
    [InlineData("X-Key", "caf\u00e9", "the value of header X-Key has a non-ASCII or control character: use printable ASCII (percent- or base64-encode it)")]
    public void Header_names_and_values_are_checked(string name, string value, string message)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new HttpHeader(name, value));
        Assert.Equal(message, e.Message);
    }
}
