# Source: CBS RebootPending and WindowsUpdate\Auto Update\RebootRequired subkeys; CCM_ClientUtilities.
# DetermineIfRebootPending in root\ccm\ClientSDK (ConfigMgr Client Health; Client Center).
try {
    $cbs = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    $wu = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
    $Clock.cim = Get-WaitSeconds 8
    $ccm = Invoke-CimMethod -Namespace 'root/ccm/ClientSDK' -ClassName CCM_ClientUtilities -MethodName DetermineIfRebootPending -OperationTimeoutSec $Clock.cim
    Out-Section 'pending_reboot' ([ordered]@{ cbs_reboot_pending = $cbs; wu_reboot_required = $wu; ccm_reboot_pending = [bool]$ccm.RebootPending })
} catch { Out-Failure 'pending_reboot' $_ }
