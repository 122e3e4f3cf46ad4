using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastLoad.Engine.Rpc;

/// <summary>
/// How an <c>https://</c> or <c>wss://</c> server's certificate is trusted: the system's store, plus any extra trust
/// anchors (<c>--ca-cert FILE</c>), or not checked at all (<c>--insecure</c>). The host name is always sent as SNI
/// and, unless <see cref="Insecure"/>, must match the certificate.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>The system's trust store only.</summary>
    public static readonly TlsOptions SystemTrust = new();

    /// <summary>Extra root certificates, trusted besides the system's (e.g. a self-signed server's own certificate).</summary>
    public X509Certificate2Collection ExtraRoots { get; init; } = [];

    /// <summary>Skip every check of the server's certificate (name, dates, chain). For test endpoints only.</summary>
    public bool Insecure { get; init; }

    /// <summary>
    /// Reads every certificate of a PEM file as a trust anchor. Throws <see cref="ArgumentException"/> with one line
    /// (missing file, no certificate in it, not PEM).
    /// </summary>
    public static TlsOptions WithCaFile(string path, bool insecure = false)
    {
        if (!File.Exists(path)) throw new ArgumentException($"--ca-cert {path} does not exist: give the PEM file of the CA (or self-signed certificate) the server uses");
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"--ca-cert {path} is not a PEM certificate file ({e.Message.TrimEnd('.')}): give a file with -----BEGIN CERTIFICATE----- blocks");
        }
        if (roots.Count == 0)
            throw new ArgumentException($"--ca-cert {path} holds no certificate: give a PEM file with -----BEGIN CERTIFICATE----- blocks");
        return new TlsOptions { ExtraRoots = roots, Insecure = insecure };
    }

    /// <summary>Client options for a handshake with <paramref name="host"/> (SNI), HTTP/1.1 by ALPN, checking the certificate as set here.</summary>
    /// <param name="verdict">Receives why the certificate was refused, if it was (for the error message).</param>
    public SslClientAuthenticationOptions ClientOptions(string host, CertificateVerdict verdict) => new()
    {
        TargetHost = host,
        ApplicationProtocols = [SslApplicationProtocol.Http11],
        EnabledSslProtocols = SslProtocols.None, // the system's choice: TLS 1.2 and 1.3
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck, // no network lookups from a load generator
        RemoteCertificateValidationCallback = (_, certificate, chain, errors) => verdict.Judge(this, certificate, chain, errors),
    };

    /// <summary>A callback for <c>ClientWebSocketOptions.RemoteCertificateValidationCallback</c>.</summary>
    public RemoteCertificateValidationCallback Callback()
    {
        var verdict = new CertificateVerdict();
        return (_, certificate, chain, errors) => verdict.Judge(this, certificate, chain, errors);
    }

    /// <summary>Does the chain of <paramref name="certificate"/> end at one of <see cref="ExtraRoots"/>?</summary>
    internal bool ChainsToExtraRoot(X509Certificate2 certificate, X509Chain? presented, out string? problem)
    {
        problem = null;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ExtraRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Intermediates the server sent help build the path.
        if (presented is not null)
        {
            foreach (X509ChainElement element in presented.ChainElements)
            {
                if (!element.Certificate.Equals(certificate)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        if (chain.Build(certificate)) return true;
        problem = Describe(chain.ChainStatus);
        return false;
    }

    internal static string Describe(X509ChainStatus[] status)
    {
        if (status.Length == 0) return "its chain could not be built";
        var names = new List<string>();
        foreach (X509ChainStatus s in status)
        {
            string name = s.Status switch
            {
                X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "it is not signed by a trusted CA",
                X509ChainStatusFlags.NotTimeValid => "it has expired or is not yet valid",
                X509ChainStatusFlags.NotSignatureValid => "its signature is invalid",
                _ => s.Status.ToString(),
            };
            if (!names.Contains(name)) names.Add(name);
        }
        return string.Join(", ", names);
    }
}

/// <summary>What a certificate check decided, kept so a failed handshake can say why in one line.</summary>
public sealed class CertificateVerdict
{
    /// <summary>Why the server's certificate was refused; null while it was not.</summary>
    public string? Problem { get; private set; }

    internal bool Judge(TlsOptions options, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (options.Insecure || errors == SslPolicyErrors.None) return true;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            Problem = "the server sent no certificate";
            return false;
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            Problem = "its certificate is for another host name";
            return false;
        }
        // Only chain errors are left: the extra roots may vouch for it.
        string? problem = null;
        if (options.ExtraRoots.Count > 0 && certificate is X509Certificate2 leaf && options.ChainsToExtraRoot(leaf, chain, out problem)) return true;
        Problem = options.ExtraRoots.Count > 0
            ? $"its certificate is not trusted by the system or by --ca-cert ({problem ?? TlsOptions.Describe(chain?.ChainStatus ?? [])})"
            : $"its certificate is not trusted ({TlsOptions.Describe(chain?.ChainStatus ?? [])})";
        return false;
    }
}
