using System.Numerics;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using Nethereum.Signer;
using NModel = Nethereum.Model;

namespace FastLoad.Tests.Transactions;

/// <summary>
/// A property test beside the cast vectors: random transactions of every type FastLoad signs (0 with and without a
/// chain id, 1 and 2 with access lists, 4 with authorization lists), signed by FastLoad, then decoded by Nethereum
/// (an independent implementation): every field reads back as the input, Nethereum re-encodes the same bytes and
/// gets the same tx hash, and the sender it recovers is the signing key's address; for type 4 each authorization's
/// signer too. The cases come from one fixed seed, printed (with the case number and its inputs) on failure.
/// </summary>
public class NethereumCrossCheckTests
{
    private const int Seed = 0x5EED_2611;
    private const int CasesPerType = 100;

    public static TheoryData<TxType> Types => new() { TxType.Legacy, TxType.AccessList, TxType.DynamicFee, TxType.SetCode };

    [Theory]
    [MemberData(nameof(Types))]
    public void Nethereum_decodes_what_fastload_signs_and_recovers_its_sender(TxType type)
    {
        for (int i = 0; i < CasesPerType; i++)
        {
            var random = new Random(Seed + (int)type * 10_000 + i); // deterministic (HashCode.Combine is not, across processes)
            var inputs = new Inputs(random, type);
            try
            {
                CheckCase(inputs);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed 0x{Seed:x}, type {type}, case {i}: {inputs}\n{e.Message}", e);
            }
        }
    }

    private static void CheckCase(Inputs x)
    {
        byte[] raw = new byte[4096];
        byte[] hash = new byte[32];
        int length = x.Type switch
        {
            TxType.Legacy => TransactionSigner.Sign(new LegacyTransaction
            {
                ChainId = x.ChainId, Nonce = x.Nonce, GasPrice = x.FeeA, GasLimit = x.GasLimit, To = x.To, Value = x.Value, Data = x.Data,
            }, x.Key, raw, hash),
            TxType.AccessList => TransactionSigner.Sign(new AccessListTransaction
            {
                ChainId = x.ChainId, Nonce = x.Nonce, GasPrice = x.FeeA, GasLimit = x.GasLimit, To = x.To, Value = x.Value, Data = x.Data,
                AccessList = x.AccessList,
            }, x.Key, raw, hash),
            TxType.DynamicFee => TransactionSigner.Sign(new DynamicFeeTransaction
            {
                ChainId = x.ChainId, Nonce = x.Nonce, MaxPriorityFeePerGas = x.FeeA, MaxFeePerGas = x.FeeB, GasLimit = x.GasLimit, To = x.To,
                Value = x.Value, Data = x.Data, AccessList = x.AccessList,
            }, x.Key, raw, hash),
            TxType.SetCode => TransactionSigner.Sign(new SetCodeTransaction
            {
                ChainId = x.ChainId, Nonce = x.Nonce, MaxPriorityFeePerGas = x.FeeA, MaxFeePerGas = x.FeeB, GasLimit = x.GasLimit, To = x.To!.Value,
                Value = x.Value, Data = x.Data, AccessList = x.AccessList, AuthorizationList = x.SignedAuthorizations,
            }, x.Key, raw, hash),
            _ => throw new InvalidOperationException($"type {x.Type} is not signed by FastLoad"),
        };
        byte[] envelope = raw[..length];

        NModel.ISignedTransaction decoded = NModel.TransactionFactory.CreateTransaction(envelope);

        // The common fields, through Nethereum's type-independent accessors.
        Assert.Equal(x.Nonce, (ulong)NModel.SignedTransactionExtensions.GetNonce(decoded));
        Assert.Equal(x.GasLimit, (ulong)NModel.SignedTransactionExtensions.GetGasLimit(decoded));
        Assert.Equal(x.Value.ToBigInteger(), NModel.SignedTransactionExtensions.GetValue(decoded));
        Assert.Equal(x.Data, NModel.SignedTransactionExtensions.GetData(decoded) ?? []);
        Assert.Equal(x.To?.ToString(), Normalized(NModel.SignedTransactionExtensions.GetReceiverAddress(decoded)));
        // Nethereum encodes the same bytes and hashes them to the same tx hash.
        Assert.Equal(Convert.ToHexStringLower(envelope), Convert.ToHexStringLower(decoded.GetRLPEncoded()));
        Assert.Equal(Convert.ToHexStringLower(hash), Convert.ToHexStringLower(((NModel.SignedTransaction)decoded).Hash));

        switch (x.Type)
        {
            case TxType.Legacy when x.ChainId.IsZero:
                var unprotected = Assert.IsType<NModel.LegacyTransaction>(decoded);
                Assert.Equal(x.FeeA.ToBigInteger(), Unsigned(unprotected.GasPrice));
                break;
            case TxType.Legacy:
                var eip155 = Assert.IsType<NModel.LegacyTransactionChainId>(decoded);
                Assert.Equal(x.ChainId.ToBigInteger(), eip155.GetChainIdAsBigInteger());
                Assert.Equal(x.FeeA.ToBigInteger(), Unsigned(eip155.GasPrice));
                break;
            case TxType.AccessList:
                var t1 = Assert.IsType<NModel.Transaction2930>(decoded);
                Assert.Equal(x.ChainId.ToBigInteger(), t1.ChainId);
                Assert.Equal(x.FeeA.ToBigInteger(), t1.GasPrice);
                AssertAccessList(x.AccessList, t1.AccessList);
                break;
            case TxType.DynamicFee:
                var t2 = Assert.IsType<NModel.Transaction1559>(decoded);
                Assert.Equal(x.ChainId.ToBigInteger(), t2.ChainId);
                Assert.Equal(x.FeeA.ToBigInteger(), t2.MaxPriorityFeePerGas);
                Assert.Equal(x.FeeB.ToBigInteger(), t2.MaxFeePerGas);
                AssertAccessList(x.AccessList, t2.AccessList);
                break;
            case TxType.SetCode:
                var t4 = Assert.IsType<NModel.Transaction7702>(decoded);
                Assert.Equal(x.ChainId.ToBigInteger(), t4.ChainId);
                Assert.Equal(x.FeeA.ToBigInteger(), t4.MaxPriorityFeePerGas);
                Assert.Equal(x.FeeB.ToBigInteger(), t4.MaxFeePerGas);
                AssertAccessList(x.AccessList, t4.AccessList);
                Assert.Equal(x.Authorizations.Length, t4.AuthorisationList.Count);
                for (int a = 0; a < x.Authorizations.Length; a++)
                {
                    NModel.Authorisation7702Signed auth = t4.AuthorisationList[a];
                    Assert.Equal(x.Authorizations[a].ChainId.ToBigInteger(), auth.ChainId);
                    Assert.Equal(x.Authorizations[a].Address.ToString(), Normalized(auth.Address));
                    Assert.Equal(x.Authorizations[a].Nonce, (ulong)auth.Nonce);
                    string authority = EthECKeyBuilderFromSignedAuthorisation.RecoverSignerAddress(auth);
                    Assert.Equal(x.Authorities[a].Address.ToString(), Normalized(authority));
                }
                break;
        }

        // The sender as Nethereum recovers it from the decoded tx and from the raw hex.
        string sender = new TransactionVerificationAndRecoveryImp().GetSenderAddress(decoded);
        Assert.Equal(x.Key.Address.ToString(), Normalized(sender));
        Assert.Equal(x.Key.Address.ToString(), Normalized(TransactionVerificationAndRecovery.GetSenderAddress(Convert.ToHexStringLower(envelope))));
    }

    private static void AssertAccessList(AccessListItem[] expected, List<NModel.AccessListItem>? actual)
    {
        actual ??= [];
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Address.ToString(), Normalized(actual[i].Address));
            Hash256[] keys = expected[i].StorageKeys.ToArray();
            Assert.Equal(keys.Length, actual[i].StorageKeys.Count);
            for (int k = 0; k < keys.Length; k++) Assert.Equal(keys[k].Bytes.ToArray(), actual[i].StorageKeys[k]);
        }
    }

    private static BigInteger Unsigned(byte[]? bigEndian) => bigEndian is null ? BigInteger.Zero : new BigInteger(bigEndian, isUnsigned: true, isBigEndian: true);

    /// <summary>Nethereum gives addresses with or without 0x, in EIP-55 case or not; an empty one is a create.</summary>
    private static string? Normalized(string? address) =>
        string.IsNullOrEmpty(address) ? null : "0x" + (address.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? address[2..] : address).ToLowerInvariant();

    /// <summary>One random case: values spread over their byte widths, with the boundaries (0, 1 byte, max) often.</summary>
    private sealed class Inputs
    {
        public TxType Type { get; }
        public PrivateKey Key { get; }
        public UInt256 ChainId { get; }
        public ulong Nonce { get; }
        public UInt256 FeeA { get; }
        public UInt256 FeeB { get; }
        public ulong GasLimit { get; }
        public Address? To { get; }
        public UInt256 Value { get; }
        public byte[] Data { get; }
        public AccessListItem[] AccessList { get; } = [];
        public Authorization[] Authorizations { get; } = [];
        public PrivateKey[] Authorities { get; } = [];
        public SignedAuthorization[] SignedAuthorizations { get; } = [];

        public Inputs(Random random, TxType type)
        {
            Type = type;
            Key = RandomKey(random);
            // Legacy: 0 (unprotected, v = 27/28) now and then; EIP-155 v = 2 * chainId + 35 + parity must fit 256 bits.
            ChainId = type == TxType.Legacy
                ? random.Next(5) == 0 ? UInt256.Zero : RandomUInt(random, 31)
                : RandomUInt(random, 32);
            Nonce = RandomULong(random);
            FeeA = RandomUInt(random, 32);
            FeeB = RandomUInt(random, 32);
            GasLimit = RandomULong(random);
            To = type != TxType.SetCode && random.Next(4) == 0 ? null : RandomAddress(random);
            Value = RandomUInt(random, 32);
            Data = RandomData(random);
            if (type != TxType.Legacy) AccessList = RandomAccessList(random);
            if (type == TxType.SetCode)
            {
                int count = 1 + random.Next(3);
                Authorizations = new Authorization[count];
                Authorities = new PrivateKey[count];
                SignedAuthorizations = new SignedAuthorization[count];
                for (int a = 0; a < count; a++)
                {
                    Authorities[a] = RandomKey(random);
                    Authorizations[a] = new Authorization
                    {
                        ChainId = random.Next(3) == 0 ? UInt256.Zero : RandomUInt(random, 32),
                        Address = RandomAddress(random),
                        Nonce = RandomULong(random),
                    };
                    SignedAuthorizations[a] = Authorizations[a].Sign(Authorities[a]);
                }
            }
        }

        public override string ToString() =>
            $"key {Key.Address} chainId {ChainId} nonce {Nonce} feeA {FeeA} feeB {FeeB} gas {GasLimit} to {To?.ToString() ?? "(create)"} value {Value} " +
            $"data {Data.Length} B 0x{Convert.ToHexStringLower(Data.AsSpan(0, Math.Min(Data.Length, 16)))}… accessList {AccessList.Length} " +
            $"authorizations [{string.Join("; ", Authorizations.Select(a => $"chainId {a.ChainId} {a.Address} nonce {a.Nonce}"))}]";

        private static PrivateKey RandomKey(Random random)
        {
            byte[] bytes = new byte[32];
            PrivateKey key;
            do random.NextBytes(bytes);
            while (!PrivateKey.TryCreate(bytes, out key));
            return key;
        }

        /// <summary>0, 1, a 1-byte value, or a value of a random width up to <paramref name="maxBytes"/> (all ones at times).</summary>
        private static UInt256 RandomUInt(Random random, int maxBytes)
        {
            switch (random.Next(8))
            {
                case 0: return UInt256.Zero;
                case 1: return (ulong)random.Next(1, 0x80);
                case 2:
                {
                    byte[] ones = new byte[maxBytes];
                    Array.Fill(ones, (byte)0xff);
                    return UInt256.FromBigEndian(Pad32(ones));
                }
                default:
                {
                    byte[] bytes = new byte[1 + random.Next(maxBytes)];
                    random.NextBytes(bytes);
                    return UInt256.FromBigEndian(Pad32(bytes));
                }
            }
        }

        private static byte[] Pad32(byte[] bigEndian)
        {
            byte[] padded = new byte[32];
            bigEndian.CopyTo(padded, 32 - bigEndian.Length);
            return padded;
        }

        private static ulong RandomULong(Random random) => random.Next(6) switch
        {
            0 => 0,
            1 => (ulong)random.Next(1, 0x80),
            2 => ulong.MaxValue,
            _ => (ulong)random.NextInt64() >> random.Next(64),
        };

        private static Address RandomAddress(Random random)
        {
            byte[] bytes = new byte[20];
            random.NextBytes(bytes);
            if (random.Next(10) == 0) bytes.AsSpan(0, 19).Clear(); // leading zeros
            return new Address(bytes);
        }

        /// <summary>Empty, one byte below and at 0x80, the 55/56-byte string header boundary, or up to 600 bytes.</summary>
        private static byte[] RandomData(Random random)
        {
            int length = random.Next(7) switch
            {
                0 => 0,
                1 => 1,
                2 => 55,
                3 => 56,
                _ => random.Next(600),
            };
            byte[] data = new byte[length];
            random.NextBytes(data);
            if (length == 1 && random.Next(2) == 0) data[0] = (byte)random.Next(0x80); // a single byte that is its own encoding
            return data;
        }

        private static AccessListItem[] RandomAccessList(Random random)
        {
            var items = new AccessListItem[random.Next(4)];
            for (int i = 0; i < items.Length; i++)
            {
                var keys = new Hash256[random.Next(4)];
                for (int k = 0; k < keys.Length; k++)
                {
                    byte[] bytes = new byte[32];
                    random.NextBytes(bytes);
                    keys[k] = new Hash256(bytes);
                }
                items[i] = new AccessListItem(RandomAddress(random), keys);
            }
            return items;
        }
    }
}
