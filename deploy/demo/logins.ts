import { edgeUser } from '../../shared/wire/acl.ts'
import { createBrokerAccess, randomPassword, type BrokerAccess, type BrokerAccessOptions } from './broker-access.ts'
import type { MqttLogin } from './configs.ts'

/** The variable each demo part reads its broker password from (set only in the env handed to that part). */
export const DEMO_MQTT_PASSWORD_ENV = 'PARKLINK_DEMO_MQTT_PASSWORD'
export const DEMO_CLOUD_USER = 'parklink-cloud-demo'

export interface DemoLogins {
  access: BrokerAccess
  cloud: MqttLogin
  edge(site: string, edge: string): MqttLogin
  /** The environment entry that gives this user's part its password (in memory, never printed). */
  env(login: MqttLogin): NodeJS.ProcessEnv
}

/**
 * Demo mode: a random password per edge and one for the cloud, made at each start; the embedded
 * broker knows only these users and applies the topic rules to them (deploy/demo/broker-access.ts).
 */
export function createDemoLogins(
  site: string,
  edges: readonly string[],
  onRefused?: BrokerAccessOptions['onRefused'],
): DemoLogins {
  const users = new Map<string, string>([
    [DEMO_CLOUD_USER, randomPassword()],
    ...edges.map((e): [string, string] => [edgeUser(site, e), randomPassword()]),
  ])
  const login = (username: string): MqttLogin => ({ username, passwordEnv: DEMO_MQTT_PASSWORD_ENV })
  return {
    access: createBrokerAccess({ users, cloudUsers: [DEMO_CLOUD_USER], ...(onRefused ? { onRefused } : {}) }),
    cloud: login(DEMO_CLOUD_USER),
    edge: (s, e) => {
      const user = edgeUser(s, e)
      if (!users.has(user)) throw new Error(`demo logins: no broker user for ${user}`)
      return login(user)
    },
    env: (l) => ({ [l.passwordEnv]: users.get(l.username) ?? '' }),
  }
}
