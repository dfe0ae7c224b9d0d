; Inno Setup 6 script: builds LicencePanel-Setup.exe from the PyInstaller folder (packaging/dist/LicencePanel).
;   iscc /DAppVersion=0.1.0 packaging\installer.iss        (the Windows lane passes the version from pyproject.toml)
;
; Per-user by default: no admin prompt, installs to %LOCALAPPDATA%\Programs\LicencePanel with the user's own
; Start menu shortcut. An all-users install (Program Files, shortcuts for every user) is chosen in the
; "install mode" dialog or with /ALLUSERS on the command line (it asks for admin rights); /CURRENTUSER forces
; per-user. x64 Windows 10 or later only. The desktop shortcut is opt-in (/MERGETASKS="desktopicon" when
; silent). Silent install: /VERYSILENT /SUPPRESSMSGBOXES /NORESTART [/ALLUSERS] [/LANG=english].
; Silent uninstall (unins000.exe /VERYSILENT /SUPPRESSMSGBOXES) asks nothing. Upgrading in place keeps the
; user's data dir (%LOCALAPPDATA%\licence-panel), keyring entries and settings: they are never in {app}.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F1C7E3A-2B8D-4C55-9E0B-5A7D2C1F4B90}
AppName=Licence Panel
AppVersion={#AppVersion}
AppVerName=Licence Panel {#AppVersion}
AppPublisher=Licence Panel
VersionInfoVersion={#AppVersion}
VersionInfoDescription=Licence Panel Setup
; %LOCALAPPDATA%\Programs per-user, Program Files for all users (a fixed {localappdata} would put an
; all-users install into the admin's own profile). See DefaultInstallDir below.
DefaultDirName={code:DefaultInstallDir}
DefaultGroupName=Licence Panel
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir=dist
OutputBaseFilename=LicencePanel-Setup
#ifexist "dist\licence_panel.ico"
SetupIconFile=dist\licence_panel.ico
#endif
UninstallDisplayIcon={app}\LicencePanel.exe
UninstallDisplayName=Licence Panel
; ultra: 64 MB dictionary (ultra64's 1.5 GB one runs the 32-bit compiler out of memory)
Compression=lzma2/ultra
SolidCompression=yes
LZMAUseSeparateProcess=yes
LZMANumBlockThreads=2
WizardStyle=modern
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage
CloseApplications=yes
RestartApplications=no

[Languages]
; Inno Setup 6.4 ships no Chinese Simplified, Vietnamese or Persian messages: ours (packaging/languages/)
; are layered over the English defaults.
Name: "chinesesimplified"; MessagesFile: "compiler:Default.isl,languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "vietnamese"; MessagesFile: "compiler:Default.isl,languages\Vietnamese.isl"
Name: "persian"; MessagesFile: "compiler:Default.isl,languages\Persian.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "dist\LicencePanel\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
; {autoprograms}/{autodesktop}: the user's own per-user, the common ones for an all-users install.
Name: "{autoprograms}\Licence Panel"; Filename: "{app}\LicencePanel.exe"
Name: "{autodesktop}\Licence Panel"; Filename: "{app}\LicencePanel.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\LicencePanel.exe"; Description: "{cm:LaunchProgram,Licence Panel}"; Flags: nowait postinstall skipifsilent

[Registry]
; IT presets, from the command line: /SERVER=https://… /PROXY=system|none|http://host:port /PANELLANG=zh_CN|en|vi|fa
; (HKA: HKLM for an all-users install, HKCU per-user). The panel uses them until the user chooses otherwise;
; Group Policy values under Software\Policies\LicencePanel are enforced instead (README.md).
Root: HKA; Subkey: "Software\LicencePanel"; ValueType: string; ValueName: "ServerUrl"; ValueData: "{param:SERVER}"; Flags: uninsdeletevalue uninsdeletekeyifempty; Check: HasParam('SERVER')
Root: HKA; Subkey: "Software\LicencePanel"; ValueType: string; ValueName: "ProxyMode"; ValueData: "{code:ProxyMode}"; Flags: uninsdeletevalue uninsdeletekeyifempty; Check: HasParam('PROXY')
Root: HKA; Subkey: "Software\LicencePanel"; ValueType: string; ValueName: "ProxyUrl"; ValueData: "{param:PROXY}"; Flags: uninsdeletevalue uninsdeletekeyifempty; Check: IsProxyUrl
Root: HKA; Subkey: "Software\LicencePanel"; ValueType: string; ValueName: "Language"; ValueData: "{param:PANELLANG}"; Flags: uninsdeletevalue uninsdeletekeyifempty; Check: HasParam('PANELLANG')

[UninstallDelete]
; Only what the program itself may have written next to its files; the user's data dir is left alone.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
// What {autopf} means ({userpf} per-user, {commonpf} for all users), spelled out: {userpf} is
// %LOCALAPPDATA%\Programs on Windows, but Wine 8 (the Windows lane) lacks FOLDERID_UserProgramFiles.
function DefaultInstallDir(Param: String): String;
begin
  if IsAdminInstallMode then
    Result := ExpandConstant('{commonpf}\LicencePanel')
  else
    Result := ExpandConstant('{localappdata}\Programs\LicencePanel');
end;

function HasParam(Name: String): Boolean;
begin
  Result := ExpandConstant('{param:' + Name + '|}') <> '';
end;

// /PROXY=system or /PROXY=none is a mode; anything else is a proxy address, used in manual mode.
function IsProxyUrl: Boolean;
var
  Value: String;
begin
  Value := Lowercase(ExpandConstant('{param:PROXY|}'));
  Result := (Value <> '') and (Value <> 'system') and (Value <> 'none');
end;

function ProxyMode(Param: String): String;
begin
  if IsProxyUrl then
    Result := 'manual'
  else
    Result := Lowercase(ExpandConstant('{param:PROXY|}'));
end;
