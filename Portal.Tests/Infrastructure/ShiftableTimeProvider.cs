namespace Portal.Tests.Infrastructure;

/// <summary>
/// The system clock plus an offset the test moves forward. Unlike a frozen clock, timers and timeouts keep running,
/// so the portal behaves normally between the jumps.
/// </summary>
public sealed class ShiftableTimeProvider : TimeProvider
{
    private long offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
