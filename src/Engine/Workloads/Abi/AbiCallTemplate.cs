using System.Globalization;
using System.Numerics;
using System.Text;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Workloads.Abi;

/// <summary>What a per-tx slot of an <see cref="AbiCallTemplate"/> is filled with.</summary>
public enum AbiSlot : byte
{
    /// <summary><c>{wallet}</c> for an address: the sender.</summary>
    WalletAddress,

    /// <summary><c>{wallet}</c> for a uint: the sender's wallet index.</summary>
    WalletIndex,

    /// <summary><c>{counter}</c>: the wallet's tx number in the run, from 0.</summary>
    Counter,

    /// <summary><c>{random}</c> for uint256, int256 or bytes32: 32 bytes drawn from the wallet and its tx number.</summary>
    Random,

    /// <summary><c>{random}</c> for an address: 20 of those bytes (a valid address word).</summary>
    RandomAddress,
}

/// <summary>
/// A contract call's calldata made once from a function signature and its arguments (cold path): the selector, the head
/// and the tail of the ABI encoding in one template, with a 32-byte slot for each per-tx argument (<c>{wallet}</c>,
/// <c>{counter}</c>, <c>{random}</c>). Per tx the template is copied and the slots written (<see cref="Slots"/>), so the
/// hot path allocates nothing and costs a copy.
/// <para>
/// Types: <c>address</c>, <c>bool</c>, <c>uintN</c>, <c>intN</c> (N = 8..256 by 8; <c>uint</c>/<c>int</c> mean 256),
/// <c>bytesN</c> (N = 1..32), <c>bytes</c>, <c>string</c>, and arrays of the static ones, <c>T[]</c> and <c>T[K]</c>.
/// Not: tuples, arrays of <c>bytes</c>/<c>string</c>, nested arrays. Values: numbers in decimal or 0x-hex (negative for
/// intN), <c>true</c>/<c>false</c>, 0x-hex for bytes and bytesN, arrays as <c>[a,b,c]</c>, strings as written or in
/// double quotes (needed when a string holds <c>,</c> <c>[</c> <c>]</c> <c>+</c> <c>@</c> or <c>"</c>; <c>\"</c> and
/// <c>\\</c> inside quotes). Per-tx templates only stand for static single values, not inside arrays.
/// </para>
/// </summary>
public sealed class AbiCallTemplate
{
    private const string Supported = "address, bool, uintN, intN, bytesN, bytes, string, or T[] / T[K] of the static ones";

    private AbiCallTemplate(string signature, byte[] template, (int Offset, AbiSlot Kind)[] slots)
    {
        Signature = signature;
        Template = template;
        Slots = slots;
    }

    /// <summary>The canonical signature (<c>uint</c> written <c>uint256</c>), whose Keccak gives the selector.</summary>
    public string Signature { get; }

    /// <summary>Selector, head and tail, with zero words where <see cref="Slots"/> go.</summary>
    public byte[] Template { get; }

    /// <summary>Where each per-tx word goes (its byte offset in <see cref="Template"/>) and what it is.</summary>
    public IReadOnlyList<(int Offset, AbiSlot Kind)> Slots { get; }

    /// <summary>
    /// Builds the template of <paramref name="signature"/> (e.g. <c>f(string,uint256[])</c>) with <paramref name="argText"/>
    /// (what follows the signature's ':', or empty). <paramref name="context"/> starts each error message.
    /// </summary>
    public static AbiCallTemplate Parse(string context, string signature, string argText)
    {
        int open = signature.IndexOf('(', StringComparison.Ordinal);
        string name = signature[..open];
        string inner = signature[(open + 1)..^1];
        string[] typeTexts = inner.Length == 0 ? [] : inner.Split(',');
        var types = new AbiType[typeTexts.Length];
        for (int i = 0; i < types.Length; i++) types[i] = AbiType.Parse(context, typeTexts[i]);
        string canonical = $"{name}({string.Join(',', types.Select(t => t.Canonical))})";

        List<string> values = argText.Length == 0 ? [] : SplitOutside(argText, ',');
        if (values.Count != types.Length)
            throw new ArgumentException($"{context}: {canonical} takes {types.Length} argument(s) but {values.Count} given");

        int head = 0;
        foreach (AbiType t in types) head += t.HeadWords * 32;
        var body = new List<byte>(4 + head);
        var tail = new List<byte>();
        var slots = new List<(int, AbiSlot)>();
        Span<byte> selector = stackalloc byte[4];
        AbiSelector.Of(canonical).WriteTo(selector);
        body.AddRange(selector.ToArray());
        for (int i = 0; i < types.Length; i++)
        {
            AbiType t = types[i];
            string value = values[i].Trim();
            if (AbiType.SlotOf(value) is { } placeholder)
            {
                slots.Add((body.Count, t.SlotFor(context, value, placeholder)));
                body.AddRange(new byte[32]);
            }
            else if (t.IsDynamic)
            {
                body.AddRange(Word(new BigInteger(head + tail.Count)));
                tail.AddRange(t.EncodeDynamic(context, value));
            }
            else
            {
                body.AddRange(t.EncodeStatic(context, value));
            }
        }
        body.AddRange(tail);
        return new AbiCallTemplate(canonical, body.ToArray(), slots.ToArray());
    }

    /// <summary>
    /// Splits at <paramref name="separator"/> where it stands outside double quotes and outside [ ] (so an argument list
    /// splits between arguments, not inside an array or a quoted string).
    /// </summary>
    public static List<string> SplitOutside(string text, char separator)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '\\') i++;
                else if (c == '"') quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (c == separator && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }

    /// <summary>The index of the last <paramref name="c"/> outside double quotes and [ ] (as <see cref="SplitOutside"/> splits), or -1.</summary>
    public static int LastIndexOutside(string text, char c)
    {
        List<string> parts = SplitOutside(text, c);
        return parts.Count == 1 ? -1 : text.Length - parts[^1].Length - 1;
    }

    internal static byte[] Word(BigInteger value)
    {
        var word = new byte[32];
        if (value.Sign < 0) word.AsSpan().Fill(0xff); // two's complement of a negative intN
        byte[] bytes = value.ToByteArray(isUnsigned: value.Sign >= 0, isBigEndian: true);
        if (bytes.Length > 32) bytes = bytes[^32..];
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    private static byte[] Padded(ReadOnlySpan<byte> data)
    {
        var result = new byte[(data.Length + 31) / 32 * 32];
        data.CopyTo(result);
        return result;
    }

    /// <summary>One ABI type of the supported set.</summary>
    private sealed record AbiType(string Canonical, char Base, int Bits, int ArrayLength, bool IsArray)
    {
        // Base: 'a' address, 'b' bool, 'u' uintN, 'i' intN, 'f' bytesN (Bits = 8N), 'B' bytes, 's' string.
        public bool IsDynamic => Base is 'B' or 's' || (IsArray && ArrayLength < 0);

        public int HeadWords => IsArray && ArrayLength >= 0 ? ArrayLength : 1;

        public static AbiType Parse(string context, string text)
        {
            string t = text.Trim();
            if (t.Length == 0) throw new ArgumentException($"{context}: an empty argument type in the signature: use {Supported}");
            if (t.Contains('(', StringComparison.Ordinal)) throw new ArgumentException($"{context}: tuple types are not supported: use {Supported}");
            int bracket = t.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                if (!t.EndsWith(']') || t.IndexOf('[', bracket + 1) >= 0)
                    throw new ArgumentException($"{context}: '{t}' is not supported: arrays of one level only ({Supported})");
                string length = t[(bracket + 1)..^1];
                int count = -1;
                if (length.Length > 0 && (!int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > 1024))
                    throw new ArgumentException($"{context}: '{t}' has a length that is not 1 to 1024");
                AbiType element = ParseBase(context, t[..bracket]);
                if (element.IsDynamic) throw new ArgumentException($"{context}: '{t}' is an array of a dynamic type, which is not supported: use {Supported}");
                return element with { Canonical = $"{element.Canonical}[{length}]", ArrayLength = count, IsArray = true };
            }
            return ParseBase(context, t);
        }

        private static AbiType ParseBase(string context, string t)
        {
            switch (t)
            {
                case "address": return new("address", 'a', 160, 0, false);
                case "bool": return new("bool", 'b', 8, 0, false);
                case "bytes": return new("bytes", 'B', 0, 0, false);
                case "string": return new("string", 's', 0, 0, false);
                case "uint": return new("uint256", 'u', 256, 0, false);
                case "int": return new("int256", 'i', 256, 0, false);
            }
            if (t.StartsWith("uint", StringComparison.Ordinal) && Size(t[4..], 8, 256, 8) is int u) return new(t, 'u', u, 0, false);
            if (t.StartsWith("int", StringComparison.Ordinal) && Size(t[3..], 8, 256, 8) is int i) return new(t, 'i', i, 0, false);
            if (t.StartsWith("bytes", StringComparison.Ordinal) && Size(t[5..], 1, 32, 1) is int n) return new(t, 'f', n * 8, 0, false);
            throw new ArgumentException($"{context}: argument type '{t}' is not supported: use {Supported}");
        }

        private static int? Size(string digits, int min, int max, int step) =>
            int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max && n % step == 0 && digits[0] != '0' ? n : null;

        public static AbiSlot? SlotOf(string value) => value switch
        {
            "{wallet}" => AbiSlot.WalletAddress,
            "{counter}" => AbiSlot.Counter,
            "{random}" => AbiSlot.Random,
            _ => null,
        };

        /// <summary>The slot a per-tx template fills for this type, or a one-line error where it can't stand.</summary>
        public AbiSlot SlotFor(string context, string value, AbiSlot placeholder)
        {
            if (!IsArray)
            {
                switch (placeholder)
                {
                    case AbiSlot.WalletAddress when Base == 'a': return AbiSlot.WalletAddress;
                    case AbiSlot.WalletAddress when Base == 'u': return AbiSlot.WalletIndex;
                    case AbiSlot.Counter when Base == 'u': return AbiSlot.Counter;
                    case AbiSlot.Random when Base == 'a': return AbiSlot.RandomAddress;
                    case AbiSlot.Random when Bits == 256 && Base is 'u' or 'i' or 'f': return AbiSlot.Random;
                }
            }
            throw new ArgumentException($"{context}: {value} can't stand for a {Canonical}" +
                (placeholder == AbiSlot.Random && !IsArray && Base != 'b' ? " ({random} fills uint256, int256, bytes32 or address)" : ""));
        }

        /// <summary>The head words of a static value (one, or K for T[K]).</summary>
        public byte[] EncodeStatic(string context, string value)
        {
            if (!IsArray) return EncodeElement(context, value);
            List<string> items = Items(context, value);
            if (items.Count != ArrayLength) throw new ArgumentException($"{context}: {Canonical} takes {ArrayLength} value(s) but '{value}' has {items.Count}");
            var words = new List<byte>(32 * items.Count);
            foreach (string item in items) words.AddRange(EncodeElement(context, item.Trim()));
            return words.ToArray();
        }

        /// <summary>The tail of a dynamic value: its length word, then its bytes padded to 32 or its element words.</summary>
        public byte[] EncodeDynamic(string context, string value)
        {
            var tail = new List<byte>();
            if (IsArray)
            {
                List<string> items = Items(context, value);
                tail.AddRange(Word(items.Count));
                foreach (string item in items) tail.AddRange(EncodeElement(context, item.Trim()));
                return tail.ToArray();
            }
            byte[] data = Base == 's' ? Encoding.UTF8.GetBytes(Unquote(context, value))
                : Hex.TryDecode(value, out byte[] b) && value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? b
                : throw new ArgumentException($"{context}: '{value}' is not 0x-hex for bytes");
            tail.AddRange(Word(data.Length));
            tail.AddRange(Padded(data));
            return tail.ToArray();
        }

        private List<string> Items(string context, string value)
        {
            if (value.Length < 2 || value[0] != '[' || value[^1] != ']')
                throw new ArgumentException($"{context}: '{value}' is not an array for {Canonical}: write it as [a,b,c]");
            string inner = value[1..^1].Trim();
            List<string> items = inner.Length == 0 ? [] : SplitOutside(inner, ',');
            foreach (string item in items)
                if (SlotOf(item.Trim()) is not null) throw new ArgumentException($"{context}: {item.Trim()} stands for a single value, not an array element of {Canonical}");
            return items;
        }

        private byte[] EncodeElement(string context, string value)
        {
            switch (Base)
            {
                case 'a':
                    if (!Address.TryParse(value, out Address a)) throw new ArgumentException($"{context}: '{value}' is not an address");
                    var word = new byte[32];
                    a.Bytes.CopyTo(word.AsSpan(12));
                    return word;
                case 'b':
                    return Word(value switch { "true" => 1, "false" => 0, _ => throw new ArgumentException($"{context}: '{value}' is not true or false") });
                case 'f':
                    int n = Bits / 8;
                    if (!value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !Hex.TryDecode(value, out byte[] b) || b.Length != n)
                        throw new ArgumentException($"{context}: '{value}' is not {n} byte(s) of 0x-hex for {Canonical}");
                    var fixedWord = new byte[32];
                    b.CopyTo(fixedWord, 0); // bytesN sit left-aligned
                    return fixedWord;
                default:
                    BigInteger number = Number(context, value);
                    BigInteger min = Base == 'u' ? BigInteger.Zero : -(BigInteger.One << (Bits - 1));
                    BigInteger max = Base == 'u' ? (BigInteger.One << Bits) - 1 : (BigInteger.One << (Bits - 1)) - 1;
                    if (number < min || number > max) throw new ArgumentException($"{context}: {value} is out of range for {Canonical} ({min} to {max})");
                    return Word(number);
            }
        }

        private BigInteger Number(string context, string value)
        {
            bool negative = value.StartsWith('-');
            string digits = negative ? value[1..] : value;
            BigInteger parsed = BigInteger.Zero;
            bool ok = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? digits.Length > 2 && BigInteger.TryParse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out parsed)
                : BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out parsed);
            if (!ok) throw new ArgumentException($"{context}: '{value}' is not a whole number for {Canonical}");
            return negative ? -parsed : parsed;
        }

        private static string Unquote(string context, string value)
        {
            if (value.Length == 0 || value[0] != '"') return value;
            if (value.Length < 2 || value[^1] != '"') throw new ArgumentException($"{context}: the string {value} has no closing quote");
            var text = new StringBuilder(value.Length);
            for (int i = 1; i < value.Length - 1; i++)
            {
                if (value[i] == '\\' && i + 1 < value.Length - 1) i++;
                text.Append(value[i]);
            }
            return text.ToString();
        }
    }
}
