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
    [InlineData("https://node.example:8545", "https is not supported: put a TLS-terminating proxy in front, or use http://")]
    [InlineData("foo", "'foo' is not a URL: use http://host:port")]
    [InlineData("localhost:8545", "'localhost:8545' has no scheme: use http://localhost:8545")]
    [InlineData("", "the RPC URL is empty: use http://host:port")]
    [InlineData("ws://127.0.0.1:8546", "ws:// is not supported: FastLoad speaks HTTP/1.1 JSON-RPC, use the node's http:// endpoint")]
    [InlineData("ftp://127.0.0.1", "'ftp://' is not supported: use http://host:port")]
    [InlineData("http://127.0.0.1:0", "'0' is not a valid port: use a number from 1 to 65535")]
    [InlineData("http://127.0.0.1:70000", "'70000' is not a valid port: use a number from 1 to 65535")]
    [InlineData("http://127.0.0.1:abc", "'abc' is not a valid port: use a number from 1 to 65535")]
    [InlineData("http://127.0.0.1:", "'http://127.0.0.1:' has an empty port: use a number from 1 to 65535")]
    [InlineData("http://", "'http://' has no host: use http://host:port")]
    [InlineData("http://:8545", "'http://:8545' has no host: use http://host:port")]
    [InlineData("http://user:pw@127.0.0.1:8545", "credentials in 'http://user:pw@127.0.0.1:8545' are not supported: remove user:password@, or put them in a proxy")]
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
}
