import path from 'node:path'
import { cancel, confirm, intro, isCancel, note, outro, select, text } from '@clack/prompts'
import { TopicId } from '../shared/wire/ids.ts'
import { UplinkConfigSchema } from '../edge/config.ts'
import { ByteOrder, ModbusDataType } from '../edge/drivers/modbus/config.ts'
import { parseAddress } from '../edge/drivers/modbus/address.ts'
import { ConsoleConfig } from '../edge/console/config.ts'
import type { InitAnswers } from '../edge/tools/init.ts'
import type { InitFlags } from './init-flags.ts'

/**
 * The interactive side of `parklink edge init` (@clack/prompts). Each answer is checked by the
 * config's own schema as it is typed; flags given on the command line are the starting values.
 * Resolves null when the technician cancels (Ctrl-C).
 */
class Cancelled extends Error {}
const ask = async <T>(p: Promise<T>): Promise<Exclude<T, symbol>> => {
  const v = await p
  if (isCancel(v)) throw new Cancelled()
  return v as Exclude<T, symbol>
}
const zodCheck =
  (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }) =>
  (v: string | undefined) => {
    const r = schema.safeParse(v ?? '')
    return r.success ? undefined : (r.error?.issues[0]?.message ?? 'invalid')
  }
const int = (min: number, max: number) => (v: string | undefined) =>
  /^\d+$/.test(v ?? '') && Number(v) >= min && Number(v) <= max ? undefined : `a whole number ${min}–${max}`

export async function runWizard(o: InitFlags): Promise<InitAnswers | null> {
  intro('parklink edge init — 边缘网关初始配置')
  try {
    const site = await ask(
      text({
        message: 'Park (site) id 园区编号',
        placeholder: 'huaian-park',
        initialValue: o.site ?? '',
        validate: zodCheck(TopicId),
      }),
    )
    const edge = await ask(
      text({
        message: 'This edge box id 网关编号 (unique in the park)',
        placeholder: 'shilian-01',
        initialValue: o.edge ?? '',
        validate: zodCheck(TopicId),
      }),
    )
    const broker = await ask(
      text({
        message: 'Park MQTT broker URL 园区消息服务器',
        placeholder: 'mqtts://10.0.0.5:8883',
        initialValue: o.broker ?? '',
        validate: (v) => {
          const r = UplinkConfigSchema.safeParse({ url: v ?? '' })
          return r.success ? undefined : r.error.issues[0]?.message
        },
      }),
    )
    const login = await ask(
      select({
        message: 'How does this edge log in to the broker? 登录方式',
        // The park broker logs edges in by certificate (deploy/mosquitto/parklink.conf): the default.
        initialValue: o.username !== undefined && !o.cert ? 'password' : 'certificate',
        options: [
          { value: 'certificate', label: 'certificate files (parklink pki issue edge) 证书' },
          { value: 'password', label: 'user name + password 用户名密码' },
          { value: 'none', label: 'none 无' },
        ],
      }),
    )
    const auth = login === 'password'
    const username = auth
      ? await ask(
          text({
            message: 'Broker user name 用户名',
            initialValue: o.username ?? `${site}/${edge}`,
            validate: (v) => (v ? undefined : 'required'),
          }),
        )
      : undefined
    const passwordEnv = auth
      ? await ask(
          text({
            message: 'Environment variable with the password (the password is never written) 密码所在环境变量',
            initialValue: o.passwordEnv,
            validate: zodCheck(ConsoleConfig.shape.passwordEnv),
          }),
        )
      : undefined
    const pem = (message: string, initialValue: string | undefined, optional = false) =>
      ask(
        text({ message, initialValue: initialValue ?? '', validate: (v) => (v || optional ? undefined : 'required') }),
      )
    const secure = /^(mqtts|wss):/.test(broker)
    const ca = secure ? await pem("Park CA certificate file (PEM; empty: the system's CAs) 园区CA证书", o.ca, true) : ''
    const cert = login === 'certificate' ? await pem("This edge's certificate file (PEM) 网关证书", o.cert) : ''
    const key = login === 'certificate' ? await pem('Its private key file (PEM) 私钥', o.key) : ''
    // Typed relative to where the technician stands; the config resolves paths against its own folder.
    const tls = {
      ...(ca ? { ca: path.resolve(ca) } : {}),
      ...(cert ? { cert: path.resolve(cert), key: path.resolve(key) } : {}),
    }
    const dataDir = await ask(
      text({
        message: 'Data directory (outbox) 数据目录',
        initialValue: o.dataDir,
        validate: (v) => (v ? undefined : 'required'),
      }),
    )
    let device: InitAnswers['device']
    if (
      await ask(
        confirm({
          message: 'Add a first Modbus TCP device now? 现在添加第一台 Modbus TCP 设备吗',
          initialValue: o.modbusHost !== undefined,
        }),
      )
    ) {
      const host = await ask(
        text({
          message: 'Device IP on the plant network 设备地址',
          initialValue: o.modbusHost ?? '',
          validate: (v) => (v ? undefined : 'required'),
        }),
      )
      const port = await ask(text({ message: 'TCP port', initialValue: o.modbusPort, validate: int(1, 65535) }))
      const unitId = await ask(text({ message: 'Unit id 站号', initialValue: o.modbusUnit, validate: int(0, 255) }))
      const id = await ask(
        text({
          message: 'Device id in the config 设备编号',
          initialValue: o.deviceId,
          validate: (v) =>
            /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(v ?? '') ? undefined : 'letters, digits, "_", "-", "."',
        }),
      )
      note(
        'One point to check against the DCS screen; the rest come from the data-access table (import-points).',
        '第一个点位',
      )
      const pid = await ask(
        text({
          message: 'Point id 点位编号',
          initialValue: o.pointId ?? '',
          validate: (v) =>
            /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(v ?? '') ? undefined : 'letters, digits, "_", "-", ".", ":"',
        }),
      )
      const address = await ask(
        text({
          message: 'Address 地址 (hr0, ir6, 40101 …)',
          initialValue: o.pointAddress ?? '',
          validate: (v) => {
            try {
              parseAddress(v ?? '')
              return undefined
            } catch (err) {
              return (err as Error).message
            }
          },
        }),
      )
      const type = await ask(
        select({
          message: 'Data type 数据类型',
          initialValue: (o.pointType ?? 'float32') as ModbusDataType,
          options: ModbusDataType.options.map((t) => ({ value: t, label: t })),
        }),
      )
      const order = await ask(
        select({
          message: 'Byte order 字节序',
          initialValue: (o.pointOrder ?? 'ABCD') as ByteOrder,
          options: ByteOrder.options.map((t) => ({
            value: t,
            label: t,
            hint: t === 'CDAB' ? 'word-swapped: many gas controllers' : '',
          })),
        }),
      )
      device = { id, host, port: Number(port), unitId: Number(unitId), point: { id: pid, address, type, order } }
    }
    let consoleAnswer: InitAnswers['console']
    if (
      await ask(
        confirm({
          message: 'Serve the local web console on the plant LAN? 启用本地控制台吗',
          initialValue: o.consoleListen !== undefined,
        }),
      )
    ) {
      const listen = await ask(
        text({
          message: 'Plant-LAN address:port 控制台监听地址',
          placeholder: '192.168.10.5:8088',
          initialValue: o.consoleListen ?? '',
          validate: (v) => zodCheck(ConsoleConfig.shape.listen)(v),
        }),
      )
      const penv = await ask(
        text({
          message: 'Environment variable with the console password 控制台密码所在环境变量',
          initialValue: o.consolePasswordEnv,
          validate: zodCheck(ConsoleConfig.shape.passwordEnv),
        }),
      )
      consoleAnswer = { listen, passwordEnv: penv }
    }
    outro(`writing ${o.config}`)
    return {
      site,
      edge,
      broker,
      dataDir,
      ...(username ? { username, passwordEnv: passwordEnv! } : {}),
      ...(Object.keys(tls).length > 0 ? { tls } : {}),
      ...(device ? { device } : {}),
      ...(consoleAnswer ? { console: consoleAnswer } : {}),
    }
  } catch (err) {
    if (!(err instanceof Cancelled)) throw err
    cancel('cancelled: nothing was written')
    return null
  }
}
