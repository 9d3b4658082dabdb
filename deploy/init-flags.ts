/** `parklink edge init`'s flags as commander hands them over (deploy/init.ts), and the wizard's starting answers (deploy/init-wizard.ts). */
export interface InitFlags {
  config: string
  site?: string
  edge?: string
  broker?: string
  username?: string
  passwordEnv: string
  ca?: string
  cert?: string
  key?: string
  pkiFiles?: string
  dataDir: string
  modbusHost?: string
  modbusPort: string
  modbusUnit: string
  deviceId: string
  pointId?: string
  pointAddress?: string
  pointType?: string
  pointOrder?: string
  consoleListen?: string
  consolePasswordEnv: string
  yes?: boolean
  force?: boolean
  json?: boolean
}
