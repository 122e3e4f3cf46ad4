using System.Net;

namespace FastLoad.Engine.Sink;

/// <summary>Where the null sink listens and what it answers.</summary>
public sealed class SinkOptions
{
    /// <summary>The address to listen on; loopback unless <see cref="AllowNonLoopback"/> is set.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free one (read it back from <see cref="SinkServer.Port"/>).</summary>
    public int Port { get; init; } = 8545;

    /// <summary>What <c>eth_chainId</c> and <c>net_version</c> answer.</summary>
    public ulong ChainId { get; init; } = 31337;

    /// <summary>Required to listen on anything but a loopback address (the CLI sets it only when <c>--host</c> is given).</summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>Largest request body accepted; a larger one is answered 413 and the connection closed.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Faults to inject (<c>--faults</c>); null for none, which keeps the plain sink's path.</summary>
    public SinkFaultPlan? Faults { get; init; }

    /// <summary>
    /// Proxy mode (<c>--upstream</c>): forward every POST to this node and answer with its reply (faults applied on the
    /// way) instead of answering locally. http or https.
    /// </summary>
    public Uri? Upstream { get; init; }

    /// <summary>
    /// Serve HTTPS with this certificate (it must hold its private key), e.g. <see cref="SinkCertificate.CreateSelfSigned"/>;
    /// null = plain HTTP.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate { get; init; }

    /// <summary>How long the proxy waits for the upstream node's reply before answering 502.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
