using FastLoad.Engine.Shapes;

namespace FastLoad.Tests.Shapes;

public class ShapeParseTests
{
    private static readonly TimeSpan TenSeconds = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("constant", "constant")]
    [InlineData("ramp:50..300", "ramp:50..300")]
    [InlineData(" ramp:0..1000.5 ", "ramp:0..1000.5")]
    [InlineData("steps:1000..5000:1000/30s", "steps:1000..5000:1000/30s")]
    [InlineData("steps:100..400:100/500ms", "steps:100..400:100/0.5s")]
    [InlineData("burst:500/5s", "burst:500/5s")]
    [InlineData("burst:10/2m", "burst:10/120s")]
    [InlineData("poisson", "poisson")]
    [InlineData("per-block:200", "per-block:200")]
    public void Parses_each_shape_to_its_canonical_text(string text, string canonical) =>
        Assert.Equal(canonical, LoadShape.Parse(text, 200, TenSeconds, 1).Text);

    [Theory]
    [InlineData("steps:5000..1000:1000/30s", "FROM (5,000) is above TO (1,000)")]
    [InlineData("steps:1000..5000:1000", "write it as steps:FROM..TO:STEP/HOLD")]
    [InlineData("steps:1000..5000:0/30s", "STEP '0' is not a positive rate")]
    [InlineData("steps:1000..5000:1000/0s", "HOLD '0s' is not a duration above 0")]
    [InlineData("ramp:50-300", "write it as ramp:FROM..TO")]
    [InlineData("ramp:0..0", "a ramp from 0 to 0 sends nothing")]
    [InlineData("ramp:-5..10", "FROM '-5' is not a rate of 0 or more")]
    [InlineData("burst:0/5s", "N '0' is not a whole number of txs above 0")]
    [InlineData("burst:100", "write it as burst:N/EVERY")]
    [InlineData("burst:100/soon", "EVERY 'soon' is not a duration above 0")]
    [InlineData("per-block:", "K '' is not a whole number")]
    [InlineData("per-block:1.5", "K '1.5' is not a whole number")]
    [InlineData("poisson:100", "poisson takes no arguments: its mean rate is --rate")]
    [InlineData("constant:100", "constant takes no arguments: its rate is --rate")]
    [InlineData("sine:1..2", "unknown shape: use constant, ramp:FROM..TO")]
    public void Bad_shapes_get_a_one_line_message_naming_the_problem(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => LoadShape.Parse(text, 200, TenSeconds, 1));
        Assert.StartsWith($"--shape '{text}': ", e.Message);
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_ramp_needs_a_duration_and_steps_imply_one()
    {
        var e = Assert.Throws<ArgumentException>(() => LoadShape.Parse("ramp:50..300", null, null, 1));
        Assert.Contains("a ramp rises over --duration: add e.g. --duration 60s", e.Message);
        Assert.Equal(TimeSpan.FromSeconds(150), LoadShape.Parse("steps:1000..5000:1000/30s", null, null, 1).ImpliedDuration);
    }

    [Fact]
    public void Poisson_takes_its_seed_and_mean_rate()
    {
        var p = Assert.IsType<PoissonShape>(LoadShape.Parse("poisson", 300, null, 99));
        Assert.Equal(300, p.Rate);
        Assert.Equal(99UL, p.Seed);
        Assert.NotEqual(LoadShape.SeedFrom("a"), LoadShape.SeedFrom("b"));
        Assert.Equal(LoadShape.SeedFrom("fastload"), LoadShape.SeedFrom("fastload"));
    }
}
