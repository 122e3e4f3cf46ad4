using FastLoad.Engine.Primitives;
using FastLoad.Engine.Shapes;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets;
using FastLoad.Runner.Commands;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Wallets;

/// <summary>--shard i/N: each shard's part of the load, its own funder, and --start-at.</summary>
public class ShardTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(2, 3)]
    [InlineData(1000, 7)]
    public void The_shards_parts_of_a_count_add_up_to_it_and_differ_by_at_most_one(long total, int shards)
    {
        long[] parts = Enumerable.Range(0, shards).Select(i => new Shard(i, shards).ShareOf(total)).ToArray();
        Assert.Equal(total, parts.Sum());
        Assert.True(parts.Max() - parts.Min() <= 1, string.Join(",", parts));
    }

    // The lanes of 3 shards x 2 nodes together give every token of the whole schedule exactly once, at its own time.
    [Theory]
    [InlineData("constant")]
    [InlineData("ramp:100..400")]
    [InlineData("burst:90/1s")]
    public void Shards_times_nodes_lanes_together_are_the_whole_schedule(string shapeText)
    {
        LoadShape shape = LoadShape.Parse(shapeText, 300, TimeSpan.FromSeconds(3), 1);
        var clock = new BlockClock();
        ArrivalSchedule whole = shape.ForNode(0, 1, clock);
        long elapsed = (long)(2.5 * System.Diagnostics.Stopwatch.Frequency);
        long due = whole.DueCount(elapsed);
        var times = new List<long>();
        long dueOverLanes = 0;
        for (int s = 0; s < 3; s++)
            for (int n = 0; n < 2; n++)
            {
                var shard = new Shard(s, 3);
                ArrivalSchedule lane = shape.ForNode(shard.Lane(n, 2), 3 * 2, clock);
                long mine = lane.DueCount(elapsed);
                dueOverLanes += mine;
                for (long k = 0; k < mine; k++) times.Add(lane.IntendedTicks(k));
            }
        Assert.Equal(due, dueOverLanes);
        times.Sort();
        Assert.Equal(Enumerable.Range(0, (int)due).Select(k => whole.IntendedTicks(k)), times);
    }

    [Fact]
    public void Each_shard_has_its_own_funder_derived_from_the_funder_key()
    {
        PrivateKey funder = TestKeys.Funder;
        Address[] funders = Enumerable.Range(0, 3).Select(i => ShardFunder.Derive(funder, new Shard(i, 3)).Address).ToArray();
        Assert.Equal(3, funders.Distinct().Count());
        Assert.DoesNotContain(funder.Address, funders);
        Assert.Equal(funders[1], ShardFunder.Derive(funder, new Shard(1, 3)).Address); // the same on every machine
        Assert.NotEqual(funders[1], ShardFunder.Derive(funder, new Shard(1, 4)).Address); // another split, another funder
        // Not one of the run's wallets either.
        Assert.DoesNotContain(WalletKeys.Derive(funder, "fastload", 1).Address, funders);
    }

    [Theory]
    [InlineData("2026-12-01T10:00:00Z", "2026-12-01T10:00:00.000Z")]
    [InlineData("2026-12-01T11:00:00.250+01:00", "2026-12-01T10:00:00.250Z")]
    [InlineData("1796119200", "2026-12-01T10:00:00.000Z")]
    [InlineData("1796119200.5", "2026-12-01T10:00:00.500Z")]
    public void Start_at_takes_iso_8601_with_a_zone_or_unix_seconds(string text, string expected)
    {
        var now = new DateTimeOffset(2026, 12, 1, 9, 59, 0, TimeSpan.Zero);
        Assert.Equal(expected, FastLoad.Engine.Load.RunOptions.FormatStartAt(RunCommand.ParseStartAt(text, now)));
    }

    [Theory]
    [InlineData("2026-12-01T10:00:00", "has no time zone: write it in UTC with a Z")]
    [InlineData("soon", "is not a time: give ISO 8601 UTC")]
    [InlineData("2026-12-01T09:58:00Z", "is 60.0 s in the past")]
    public void Start_at_without_a_zone_unparsable_or_past_is_refused(string text, string expected)
    {
        var now = new DateTimeOffset(2026, 12, 1, 9, 59, 0, TimeSpan.Zero);
        var e = Assert.Throws<ArgumentException>(() => RunCommand.ParseStartAt(text, now));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Start_at_a_moment_ago_is_within_the_tolerance()
    {
        var now = new DateTimeOffset(2026, 12, 1, 10, 0, 1, TimeSpan.Zero);
        Assert.Equal(now.AddSeconds(-1), RunCommand.ParseStartAt("2026-12-01T10:00:00Z", now));
    }

    [Theory]
    [InlineData("--start-at 2020-01-01T00:00:00Z", "--start-at 2020-01-01T00:00:00.000Z is")]
    public async Task Bad_shard_input_is_one_line_and_exit_2(string args, string expected)
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", ["run", .. args.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
