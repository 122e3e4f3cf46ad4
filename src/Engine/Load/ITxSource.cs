namespace FastLoad.Engine.Load;

/// <summary>What fills the rings: signer threads, or a presigned file being replayed.</summary>
public interface ITxSource
{
    /// <summary>Txs put into the rings so far.</summary>
    long Produced { get; }

    void Start();

    void Stop();

    /// <summary>A presigned tx was discarded (its wallet was invalidated): the source may make up for it.</summary>
    void GiveBack(int count);
}
