using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;

/// <summary>
/// Loaded into a measured server (the real Portal.dll through DOTNET_STARTUP_HOOKS, or this harness's own child apps)
/// when BENCH_STATS_PORT is set: a tiny HttpListener that reports what only the process itself knows: bytes allocated,
/// the GC heap after a full blocking compacting collection, and the number of open Blazor circuits.
/// </summary>
internal static class StartupHook
{
    private static long activeCircuits;
    private static MeterListener? circuitListener;

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("BENCH_STATS_PORT") is not { Length: > 0 } port)
        {
            return;
        }
        ListenForCircuits();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var thread = new Thread(() => Serve(listener)) { IsBackground = true, Name = "bench-stats" };
        thread.Start();
    }

    private static void ListenForCircuits()
    {
        circuitListener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "aspnetcore.components.circuit.active")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        circuitListener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref activeCircuits, value));
        circuitListener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref activeCircuits, value));
        circuitListener.Start();
    }

    private static void Serve(HttpListener listener)
    {
        while (true)
        {
            var context = listener.GetContext();
            string body;
            try
            {
                body = context.Request.Url!.AbsolutePath switch
                {
                    "/alloc" => GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture),
                    "/heap" => HeapAfterFullCollection(),
                    "/circuits" => Interlocked.Read(ref activeCircuits).ToString(CultureInfo.InvariantCulture),
                    _ => "",
                };
            }
            catch (Exception e)
            {
                body = "error " + e.GetType().Name;
            }
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "text/plain";
            context.Response.OutputStream.Write(bytes);
            context.Response.Close();
        }
    }

    /// <summary>"heap workingSet" in bytes, after collecting everything that can be collected.</summary>
    private static string HeapAfterFullCollection()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return $"{heap.ToString(CultureInfo.InvariantCulture)} {process.WorkingSet64.ToString(CultureInfo.InvariantCulture)}";
    }
}
