using TaskQueue;

namespace Shop.Web;

/// <summary>An order to ship.</summary>
public sealed record Order(int Id, string Customer, List<string> Items);

/// <summary>What shipping an order gave back.</summary>
public sealed record Receipt(int OrderId, string Parcel, int Items, string ShippedBy);

/// <summary>Where parcels come from: a service, resolved for each run.</summary>
public interface IWarehouse
{
    /// <summary>Packs the items of an order into a parcel and returns its number.</summary>
    Task<string> PackAsync(Order order, CancellationToken cancellationToken);
}

/// <summary>A warehouse that makes up parcel numbers.</summary>
public sealed class Warehouse : IWarehouse
{
    private int parcels;

    /// <inheritdoc />
    public Task<string> PackAsync(Order order, CancellationToken cancellationToken)
        => Task.FromResult($"P-{order.Id}-{Interlocked.Increment(ref parcels)}");
}

/// <summary>The shop's tasks.</summary>
public static class ShopTasks
{
    /// <summary>Ships an order: the order travels in the message, the warehouse comes from the container.</summary>
    [Task(Retries = 2)]
    public static async Task<Receipt> ShipOrder(Order order, [FromServices] IWarehouse warehouse, TaskContext context, CancellationToken cancellationToken)
    {
        var parcel = await warehouse.PackAsync(order, cancellationToken);
        return new Receipt(order.Id, parcel, order.Items.Count, context.TaskName);
    }
}
