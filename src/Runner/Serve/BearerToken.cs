using System.Security.Cryptography;
using System.Text;

namespace FastLoad.Runner.Serve;

/// <summary>
/// The token that starting and stopping runs require (<c>Authorization: Bearer TOKEN</c>): from FASTLOAD_API_TOKEN, or 32
/// random bytes made at start-up. Compared in constant time (SHA-256 of both sides, so neither the content nor the
/// length of the token leaks through timing).
/// </summary>
internal sealed class BearerToken
{
    public const string Variable = "FASTLOAD_API_TOKEN";

    private readonly byte[] _hash;

    private BearerToken(string value, bool generated)
    {
        Value = value;
        Generated = generated;
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    public string Value { get; }

    /// <summary>Made here (to be printed once), not given through the environment.</summary>
    public bool Generated { get; }

    /// <summary>FASTLOAD_API_TOKEN when set (at least 16 characters, no whitespace), else a new random one.</summary>
    public static BearerToken FromEnvironmentOrNew()
    {
        string? given = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(given)) return new BearerToken(Base64Url(RandomNumberGenerator.GetBytes(32)), generated: true);
        if (given.Length < 16 || given.AsSpan().IndexOfAny(" \t\r\n") >= 0)
            throw new ArgumentException($"{Variable} must be at least 16 characters without spaces: e.g. export {Variable}=$(openssl rand -hex 24), or unset it to have one made");
        return new BearerToken(given, generated: false);
    }

    /// <summary>True when the request's Authorization header is "Bearer " and this token.</summary>
    public bool Accepts(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        byte[] given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _hash);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
