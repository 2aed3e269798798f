namespace Portal.Core.Connections;

/// <summary>Reads a failed call's exception chain, where the cause (a socket error, a refused certificate) sits inside.</summary>
public static class ExceptionChain
{
    /// <summary>The first exception of type <typeparamref name="T"/> in the chain, or <c>null</c>.</summary>
    public static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }
        return null;
    }

    /// <summary>The innermost exception: its message names the cause best.</summary>
    public static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }
        return exception;
    }
}
