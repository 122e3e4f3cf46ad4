using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Load;

/// <summary>Gas pricing for the run: fetched from the node, optionally overridden.</summary>
public readonly record struct GasPricing(UInt256 GasPrice, UInt256 MaxFeePerGas, UInt256 MaxPriorityFeePerGas);
