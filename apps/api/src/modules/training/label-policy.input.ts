import type { LabelPolicy } from '@dgascope/core';
import { IsIn, Max, Min } from 'class-validator';
import { ArgsType, Field, InputType, Int } from 'type-graphql';

export const INPUT_FORMS = ['registered-domain', 'full'] as const;
export type InputForm = (typeof INPUT_FORMS)[number];

/** Most classes a label policy may ask for. */
export const MAX_CLASSES = 1000;

/**
 * The label policy and input form, declared once: `startTraining` takes them (in its input) and
 * `labelPolicyPreview` takes them (as arguments), with the same limits and defaults, so that the
 * preview shows the classes the training makes.
 */
@ArgsType()
@InputType()
export class LabelPolicyFields {
  @Field(() => Int, { nullable: true, defaultValue: 50, description: 'Families below this count become mergedDGA (seed: 50).' })
  @Min(0)
  mergeBelow?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `At most this many classes (${MAX_CLASSES} at most); the smallest families beyond it become mergedDGA.`,
  })
  @Min(2)
  @Max(MAX_CLASSES)
  maxClasses?: number | null;

  @Field(() => Int, { nullable: true, description: 'Families below this count are dropped from the data.' })
  @Min(0)
  dropBelow?: number | null;

  @Field(() => String, {
    defaultValue: 'registered-domain',
    description: 'registered-domain (public-suffix reduction) | full. Families are counted after it, as training counts them.',
  })
  @IsIn([...INPUT_FORMS])
  inputForm!: InputForm;
}

/** The policy of some given fields (null: the policy's default). */
export function labelPolicyOf(fields: Pick<LabelPolicyFields, 'mergeBelow' | 'maxClasses' | 'dropBelow'>): LabelPolicy {
  return {
    ...(fields.mergeBelow != null ? { mergeBelow: fields.mergeBelow } : {}),
    ...(fields.maxClasses != null ? { maxClasses: fields.maxClasses } : {}),
    ...(fields.dropBelow != null ? { dropBelow: fields.dropBelow } : {}),
  };
}
