namespace Portal.Web;

/// <summary>
/// Lets a repeated warning through at most once per interval, whichever thread asks first; a fault that hits every
/// request would otherwise write one warning per request.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval)
{
    private long lastLogged;

    public bool Due()
    {
        var now = Environment.TickCount64;
        var previous = Interlocked.Read(ref lastLogged);
        return (previous == 0 || now - previous > (long)interval.TotalMilliseconds)
            && Interlocked.CompareExchange(ref lastLogged, now, previous) == previous;
    }
}
