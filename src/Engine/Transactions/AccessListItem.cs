using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;

namespace FastLoad.Engine.Transactions;

/// <summary>One EIP-2930 access-list entry: an address and the storage keys it touches.</summary>
[RlpSerializable]
public partial struct AccessListItem : IRlpEncodable
{
    [RlpField(0)] public Address Address;
    [RlpField(1)] public ReadOnlyMemory<Hash256> StorageKeys;

    public AccessListItem(Address address, ReadOnlyMemory<Hash256> storageKeys)
    {
        Address = address;
        StorageKeys = storageKeys;
    }
}
