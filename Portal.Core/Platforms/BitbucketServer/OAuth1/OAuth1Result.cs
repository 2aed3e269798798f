using System.Diagnostics.CodeAnalysis;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>The outcome of an OAuth 1.0a step: a value, or an <see cref="OAuth1Error"/>. Expected failures are never exceptions.</summary>
public sealed class OAuth1Result<T>
    where T : class
{
    internal OAuth1Result(T? value, OAuth1Error? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value when the step succeeded.</summary>
    public T? Value { get; }

    /// <summary>The error when the step failed.</summary>
    public OAuth1Error? Error { get; }

    /// <summary>True when <see cref="Value"/> is set; false when <see cref="Error"/> is.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"Success ({typeof(T).Name})" : $"Failure ({Error.Kind}): {Error.Message}";
}

/// <summary>Creates <see cref="OAuth1Result{T}"/> values.</summary>
public static class OAuth1Result
{
    /// <summary>A successful result.</summary>
    public static OAuth1Result<T> Success<T>(T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, null);
    }

    /// <summary>A failed result.</summary>
    public static OAuth1Result<T> Failure<T>(OAuth1Error error)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(null, error);
    }
}
