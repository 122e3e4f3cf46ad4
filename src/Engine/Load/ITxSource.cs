using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Load;

/// <summary>What fills the rings: signer threads, or a presigned file being replayed.</summary>
public interface ITxSource
{
    /// <summary>Txs put into the rings so far.</summary>
    long Produced { get; }

    void Start();

    void Stop();

    /// <summary>Presigned tx <paramref name="txId"/> of <paramref name="wallet"/> was discarded unsent (the wallet was invalidated): the source may make up for it.</summary>
    void Discarded(Wallet wallet, long txId);
}
