using TaskQueue;

namespace Kitchen;

/// <summary>Enqueues a few tasks every second (<c>Kitchen:OrdersPerSecond</c>, 0 for none), so that the dashboard has something to show.</summary>
public sealed class KitchenOrders(TaskApp app, IConfiguration configuration, ILogger<KitchenOrders> log) : BackgroundService
{
    private static readonly string[] Breads = ["rye", "sourdough", "brioche", "baguette"];
    private static readonly string[] Soups = ["minestrone", "borscht", "pho", "gazpacho"];

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int perSecond = configuration.GetValue("Kitchen:OrdersPerSecond", 2);
        if (perSecond <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                for (int i = 0; i < perSecond; i++)
                {
                    switch (Random.Shared.Next(3))
                    {
                        case 0:
                            await BakeBread.With(app).EnqueueAsync(Breads[Random.Shared.Next(Breads.Length)], Random.Shared.Next(1, 4), cancellationToken: stoppingToken);
                            break;
                        case 1:
                            await FryEggs.With(app).EnqueueAsync(Random.Shared.Next(1, 7), cancellationToken: stoppingToken);
                            break;
                        default:
                            var soup = new Soup(Soups[Random.Shared.Next(Soups.Length)], Random.Shared.Next(11), ["thyme", "bay"]);
                            await TasteSoup.With(app).EnqueueAsync(soup, cancellationToken: stoppingToken);
                            break;
                    }
                }
                // Now and then an order for later, so that the scheduled page is not empty.
                if (Random.Shared.Next(4) == 0) await BakeBread.With(app).ScheduleAsync("rye", 2, delay: TimeSpan.FromSeconds(30), cancellationToken: stoppingToken);
            }
            catch (TaskStorageUnavailableException e)
            {
                log.LogWarning("No orders this second: {Reason}", e.Message);
            }
        }
    }
}
