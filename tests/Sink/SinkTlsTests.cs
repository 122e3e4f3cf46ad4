using System.Net;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Sink;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Sink;

/// <summary><c>fastload sink --tls</c>: HTTPS with a self-signed certificate a client trusts by its PEM.</summary>
public class SinkTlsTests
{
    [Fact]
    public async Task A_tls_sink_answers_a_client_that_trusts_its_pem_and_refuses_plain_http()
    {
        using var certificate = SinkCertificate.CreateSelfSigned(IPAddress.Loopback);
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0, ChainId = 777, TlsCertificate = certificate });
        string pem = TestPaths.NewFile(".pem");
        await File.WriteAllTextAsync(pem, SinkCertificate.ToPem(certificate));
        Assert.Equal("https", sink.Url.Scheme);
        Assert.DoesNotContain("PRIVATE KEY", await File.ReadAllTextAsync(pem));

        await using (RpcClient client = await RpcClient.ConnectAsync(RpcEndpoint.Parse(sink.Url.ToString(), new RpcConnectOptions { Tls = TlsOptions.WithCaFile(pem) })))
        {
            Assert.Equal(777UL, await client.GetChainIdAsync());
        }
        Assert.Equal(0, sink.Counters.TlsFailures);

        var plain = RpcEndpoint.Parse($"http://127.0.0.1:{sink.Port}/");
        await using (RpcClient client = await RpcClient.ConnectAsync(plain, retry: RpcRetryPolicy.None))
        {
            RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => client.GetChainIdAsync());
            Assert.Contains("the server closed the connection", e.Message);
        }
        Assert.True(sink.Counters.TlsFailures >= 1);
    }

    [Fact]
    public async Task Sink_tls_writes_the_certificate_pem_and_says_how_to_trust_it()
    {
        string pem = TestPaths.NewFile(".pem");
        using var sink = RunningFastload.Start(null, "sink", "--port", "0", "--tls", "--cert-out", pem, "--quiet");
        await sink.WaitForLineAsync("sink listening on https://127.0.0.1:", TimeSpan.FromSeconds(60));
        Assert.Contains($"(self-signed; trust it with --ca-cert {pem})", sink.Output);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(pem));
    }

    [Fact]
    public async Task Cert_out_without_tls_is_one_line_and_exit_2()
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", "sink", "--port", "0", "--cert-out", "x.pem");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("fastload sink: --cert-out needs --tls: add --tls to serve HTTPS", result.StdErr.Trim());
    }
}
