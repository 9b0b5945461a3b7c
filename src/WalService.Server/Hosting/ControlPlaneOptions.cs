using System.ComponentModel.DataAnnotations;

namespace WalService.Server.Hosting;

/// <summary>Where namespaces are kept, section <c>Wal:ControlPlane</c>.</summary>
public sealed class ControlPlaneOptions
{
    public const string Section = "Wal:ControlPlane";

    /// <summary><c>sqlite</c> [default]: <c>control.db</c> in the data folder. <c>postgres</c>: <c>ConnectionStrings:ControlPlane</c>.</summary>
    [Required]
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Wal:ControlPlane:Provider must be 'sqlite' or 'postgres'")]
    public string Provider { get; set; } = "sqlite";
}
