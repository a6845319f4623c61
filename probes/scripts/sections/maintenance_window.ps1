# Source: CCM_ServiceWindow in root\ccm\ClientSDK - upcoming windows with Type (1 all deployments, 4 software
# updates, ...) and Duration in seconds (memdocs .../clients/sdk/ccm_servicewindow-client-wmi-class.md). The
# ActualConfig policy class of the same name has no Duration (rzander/sccmclictrlib Policy.cs; defect 8).
try {
    $w = Get-Cim 'root/ccm/ClientSDK' 'CCM_ServiceWindow'
    Out-Section 'maintenance_window' ([ordered]@{ windows = @($w | ForEach-Object {
        [ordered]@{ id = [string]$_.ID; type = [int]$_.Type; start = (ConvertTo-IsoTime $_.StartTime); duration_s = [int]$_.Duration } }) })
} catch { Out-Failure 'maintenance_window' $_ }
