/** The one name of the benign class, in the database, the model and the API. */
export const BENIGN_LABEL = 'benign';
/** Families too small to learn are folded into this class (the seed notebook's name). */
export const MERGED_LABEL = 'mergedDGA';
/** The family of a DGA verdict whose domain is like none of the families the model knows. */
export const UNKNOWN_FAMILY_LABEL = 'unknownFamily';
