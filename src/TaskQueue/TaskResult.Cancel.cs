namespace TaskQueue;

/// <content>Cancelling the instance, wherever it runs.</content>
public abstract partial class TaskResultBase
{
    /// <summary>
    /// Cancels this instance: a run going on in any consumer has its token fired, one not started never starts; either
    /// way reading the result then throws <see cref="TaskFailedException"/> naming the cancellation. See
    /// <see cref="TaskApp.CancelAsync"/>.
    /// </summary>
    public ValueTask CancelAsync(CancellationToken cancellationToken = default) => App.CancelAsync(Id, cancellationToken);

    /// <inheritdoc cref="CancelAsync"/>
    public void Cancel() => Sync.Wait(CancelAsync());
}
