# Source: seed article 1 (maximum run time vs maintenance windows); CCM_ServiceWindow in
# root\ccm\Policy\Machine\ActualConfig; CCM_SoftwareUpdate.MaxExecutionTime (seconds) in root\ccm\ClientSDK.
try {
    $w = Get-CimInstance -Namespace 'root/ccm/Policy/Machine/ActualConfig' -ClassName CCM_ServiceWindow -ErrorAction SilentlyContinue
    $max = (Get-CimInstance -Namespace 'root/ccm/ClientSDK' -ClassName CCM_SoftwareUpdate -ErrorAction SilentlyContinue |
        Measure-Object -Property MaxExecutionTime -Maximum).Maximum
    $r.maintenance_window = [ordered]@{ max_execution_minutes = [int]($max / 60)
        windows = @($w | Where-Object { $_.ServiceWindowType -ne 6 } | ForEach-Object { [ordered]@{ name = [string]$_.ServiceWindowID; duration_minutes = [int]($_.Duration / 60) } }) }
} catch { $r.errors.maintenance_window = $_.Exception.Message }
