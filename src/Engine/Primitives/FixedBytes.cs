using System.Runtime.CompilerServices;

namespace FastLoad.Engine.Primitives;

/// <summary>32 bytes of inline scratch or storage, no heap and no stackalloc.</summary>
[InlineArray(32)]
public struct Bytes32
{
    private byte _element0;
}

/// <summary>20 bytes of inline storage.</summary>
[InlineArray(20)]
public struct Bytes20
{
    private byte _element0;
}

/// <summary>64 bytes of inline storage (a compact signature or an uncompressed public key without prefix).</summary>
[InlineArray(64)]
public struct Bytes64
{
    private byte _element0;
}

/// <summary>65 bytes of inline storage (an uncompressed SEC1 public key).</summary>
[InlineArray(65)]
public struct Bytes65
{
    private byte _element0;
}
