using System.Globalization;
using System.Numerics;
using System.Text;

namespace FastLoad.Engine.Workloads;

/// <summary>The summary lines of a workload and its check (<c>workload</c>, <c>ledger</c>).</summary>
public static class WorkloadCheckText
{
    public static void Append(StringBuilder s, string workload, WorkloadCheck? check)
    {
        if (workload == "transfer" && check is null) return;
        var c = CultureInfo.InvariantCulture;
        s.AppendLine($"  workload     {workload}");
        if (check is null) return;
        if (check.Parts.Count > 0)
        {
            foreach ((string spec, WorkloadCheck part) in check.Parts) AppendCheck(s, $"{spec}: ", part);
            return;
        }
        AppendCheck(s, "", check);
    }

    private static void AppendCheck(StringBuilder s, string part, WorkloadCheck check)
    {
        var c = CultureInfo.InvariantCulture;
        if (part.Length > 0) s.AppendLine($"  part         {part.TrimEnd(' ', ':')}");
        if (check.Error is not null)
        {
            s.AppendLine($"  {check.Name,-12} NOT CHECKED: {check.Error}");
            return;
        }
        string ops = string.Join(", ", check.Ops.Select(o => o.Op is WorkloadOp.Deploy or WorkloadOp.GasBurn or WorkloadOp.StorageWrite or WorkloadOp.Call ? string.Create(c, $"{WorkloadOps.Name(o.Op)} {o.Count:N0}")
            : string.Create(c, $"{WorkloadOps.Name(o.Op)} {o.Count:N0} ({Tokens(o.Amount)} tokens)")));
        s.AppendLine(string.Create(c, $"  included ops {check.IncludedTxs:N0}{(ops.Length > 0 ? ": " + ops : "")}"));
        if (check.Name == "call")
        {
            s.AppendLine(string.Create(c, $"  call check  {check.Checked:N0} receipts sampled, {check.Mismatches.Count:N0} reverted"));
            foreach (LedgerMismatch m in check.Mismatches.Take(10))
                s.AppendLine($"    REVERTED a tx of wallet {m.Wallet} {m.Address}");
            return;
        }
        if (check.Name == "storage")
        {
            s.AppendLine(string.Create(c, $"  storage check {check.Checked:N0} sampled txs' first and last slots read, {check.Mismatches.Count:N0} not as written"));
            foreach (LedgerMismatch m in check.Mismatches.Take(10))
                s.AppendLine($"    MISMATCH wallet {m.Wallet}: slot holds {m.Actual}, expected {m.Expected}");
            return;
        }
        if (check.Name == "gas")
        {
            BigInteger mean = check.Ops.Count > 0 ? check.Ops[0].Amount : BigInteger.Zero;
            s.AppendLine(string.Create(c, $"  gas check   {check.Checked:N0} receipts sampled (mean gasUsed {mean:N0}), {check.Mismatches.Count:N0} outside 5 % of the target or failed"));
            foreach (LedgerMismatch m in check.Mismatches.Take(10))
                s.AppendLine($"    MISMATCH wallet {m.Wallet}: gasUsed {m.Actual}, target {m.Expected}");
            return;
        }
        if (check.Name == "deploy")
        {
            s.AppendLine(string.Create(c, $"  deploy check {check.Checked:N0} created contracts checked, {check.Mismatches.Count:N0} without the contract's code"));
            foreach (LedgerMismatch m in check.Mismatches.Take(10))
                s.AppendLine($"    MISMATCH wallet {m.Wallet}: {m.Address} holds {m.Actual} bytes of code, expected {m.Expected}");
            return;
        }
        string sums = check.ExpectedSum is BigInteger expected && check.ActualSum is BigInteger actual
            ? $"; sum of balances {Tokens(actual)} tokens (expected {Tokens(expected)}{(expected == actual ? ", equal" : ", DIFFERENT")})"
            : "";
        string supply = check.TotalSupply is BigInteger total ? $"; totalSupply {Tokens(total)}" : "";
        s.AppendLine(string.Create(c, $"  ledger       {check.Checked:N0} of {check.Wallets:N0} wallets checked, {check.Mismatches.Count:N0} mismatches{sums}{supply}"));
        foreach (LedgerMismatch m in check.Mismatches.Take(10))
            s.AppendLine($"    MISMATCH wallet {m.Wallet} {m.Address}: expected {m.Expected} token units, balanceOf {m.Actual}");
        if (check.Mismatches.Count > 10) s.AppendLine(string.Create(c, $"    ... and {check.Mismatches.Count - 10:N0} more (all in the results file's ledger_mismatches)"));
    }

    /// <summary>Token units (18 decimals) as a decimal number of tokens, exact.</summary>
    public static string Tokens(BigInteger units)
    {
        BigInteger whole = BigInteger.DivRem(BigInteger.Abs(units), BigInteger.Pow(10, 18), out BigInteger fraction);
        string text = whole.ToString("N0", CultureInfo.InvariantCulture);
        if (!fraction.IsZero) text += "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0').TrimEnd('0');
        return units.Sign < 0 ? "-" + text : text;
    }
}
