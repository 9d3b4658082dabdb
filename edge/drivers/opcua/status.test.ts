import { StatusCodes } from 'node-opcua'
import { describe, expect, it } from 'vitest'
import { qualityOf } from './status.ts'

describe('OPC UA StatusCode → quality', () => {
  it.each([
    [StatusCodes.Good, { quality: 'good' }],
    [StatusCodes.GoodLocalOverride, { quality: 'good' }],
    [StatusCodes.UncertainLastUsableValue, { quality: 'uncertain', reason: 'source_status:UncertainLastUsableValue' }],
    [
      StatusCodes.UncertainSensorNotAccurate,
      { quality: 'uncertain', reason: 'source_status:UncertainSensorNotAccurate' },
    ],
    [StatusCodes.BadSensorFailure, { quality: 'bad', reason: 'source_status:BadSensorFailure' }],
    [StatusCodes.BadNodeIdUnknown, { quality: 'bad', reason: 'source_status:BadNodeIdUnknown' }],
    [StatusCodes.BadCommunicationError, { quality: 'bad', reason: 'source_status:BadCommunicationError' }],
    [StatusCodes.BadOutOfService, { quality: 'bad', reason: 'source_status:BadOutOfService' }],
  ])('%s', (code, expected) => {
    expect(qualityOf(code)).toEqual(expected)
  })
})
